// Package ocrtest makes the document files that tests and benchmarks feed
// to the OCR engine and the store: a PNG of known words drawn in a plain
// bitmap font at a size tesseract reads, a PDF with a text layer, and a
// scanned PDF (one page image, no text). Everything is generated, so no
// test depends on a fixture nobody can regenerate.
package ocrtest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// scale enlarges the 7x13 bitmap font so a letter is about 39 pixels
// high, as on a page scanned at 300 dpi.
const scale = 3

// margin is the white border around the text, in pixels.
const margin = 60

// Page draws lines of text black on white and returns the grey image.
func Page(lines []string) *image.Gray {
	face := basicfont.Face7x13
	width := 0
	for _, l := range lines {
		width = max(width, font.MeasureString(face, l).Ceil())
	}
	lineH := face.Metrics().Height.Ceil() + 4
	small := image.NewGray(image.Rect(0, 0, width+8, lineH*len(lines)+8))
	draw.Draw(small, small.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: small, Src: image.Black, Face: face}
	for i, l := range lines {
		d.Dot = fixed.P(4, 4+face.Metrics().Ascent.Ceil()+i*lineH)
		d.DrawString(l)
	}
	b := small.Bounds()
	big := image.NewGray(image.Rect(0, 0, b.Dx()*scale+2*margin, b.Dy()*scale+2*margin))
	draw.Draw(big, big.Bounds(), image.White, image.Point{}, draw.Src)
	for y := 0; y < b.Dy()*scale; y++ {
		for x := 0; x < b.Dx()*scale; x++ {
			big.SetGray(x+margin, y+margin, color.Gray{Y: small.GrayAt(x/scale, y/scale).Y})
		}
	}
	return big
}

// PNG is Page encoded as a PNG file.
func PNG(lines ...string) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, Page(lines)); err != nil {
		panic("ocrtest: encoding a PNG: " + err.Error())
	}
	return b.Bytes()
}

// pdf assembles a PDF from its objects (numbered from 1, the catalog
// first), with a correct cross-reference table.
func pdf(objects [][]byte) []byte {
	var out bytes.Buffer
	out.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n", i+1)
		out.Write(o)
		out.WriteString("\nendobj\n")
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return out.Bytes()
}

// stream is a PDF stream object with its dictionary entries.
func stream(dict string, data []byte) []byte {
	return append([]byte(fmt.Sprintf("<< %s /Length %d >>\nstream\n", dict, len(data))), append(data, "\nendstream"...)...)
}

// pdfString escapes text for a PDF literal string.
func pdfString(s string) string {
	return strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(s)
}

// TextPDF is a one-page PDF whose text layer holds the lines, in
// Helvetica, which every PDF reader has without embedding it.
func TextPDF(lines ...string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 14 Tf 72 740 Td 18 TL\n")
	for _, l := range lines {
		fmt.Fprintf(&content, "(%s) Tj T*\n", pdfString(l))
	}
	content.WriteString("ET")
	return pdf([][]byte{
		[]byte("<< /Type /Catalog /Pages 2 0 R >>"),
		[]byte("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
		[]byte("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"),
		stream("", []byte(content.String())),
		[]byte("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"),
	})
}

// ScannedPDF is a PDF of one page per image, each page only the image
// (as a scanner writes it), with no text layer; the images are shown at
// 300 dpi.
func ScannedPDF(pages ...*image.Gray) []byte {
	objects := [][]byte{[]byte("<< /Type /Catalog /Pages 2 0 R >>"), nil}
	var kids []string
	for _, img := range pages {
		b := img.Bounds()
		w, h := float64(b.Dx())*72/300, float64(b.Dy())*72/300
		page := len(objects) + 1
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			zw.Write(img.Pix[(y-b.Min.Y)*img.Stride : (y-b.Min.Y)*img.Stride+b.Dx()])
		}
		zw.Close()
		draw := fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q", w, h)
		objects = append(objects,
			[]byte(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R /Resources << /XObject << /Im0 %d 0 R >> >> >>", w, h, page+1, page+2)),
			stream("", []byte(draw)),
			stream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode", b.Dx(), b.Dy()), z.Bytes()),
		)
	}
	objects[1] = []byte(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	return pdf(objects)
}
