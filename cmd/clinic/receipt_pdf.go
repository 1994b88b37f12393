package main

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gomono"
)

// receiptFont is the receipt PDF's font: Go Mono, embedded, so that the
// columns of the text receipt line up and every name prints as written
// (it covers Latin, Greek and Cyrillic), whatever fonts the printer has.
const receiptFont = "gomono"

// receiptPDF lays out a receipt's text on one A4 page. The document holds
// no metadata beyond the producer: no patient name in the title or the
// author, where a file browser would show it.
func receiptPDF(text string) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetProducer("MediSecure Workstation", true)
	pdf.AddUTF8FontFromBytes(receiptFont, "", gomono.TTF)
	pdf.SetMargins(20, 20, 20)
	pdf.AddPage()
	for i, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		size := 10.0
		if i < 2 {
			size = 13 // the clinic and the receipt's title and ID
		}
		pdf.SetFont(receiptFont, "", size)
		pdf.CellFormat(0, size*0.5, line, "", 1, "L", false, 0, "")
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("%w: the PDF: %s", errWrite, strip(err.Error()))
	}
	return b.Bytes(), nil
}
