// Package ocr reads the text of document files with Debian's command-line
// tools, each run as a subprocess under a timeout and an address-space
// limit, fed through pipes so no file of a patient's is written to disk in
// clear: pdftotext (poppler-utils) for a PDF's text layer, pdftoppm to
// rasterise a scanned PDF page by page, and tesseract (tesseract-ocr) for
// images and rasterised pages.
//
// It imports only the standard library and core (the store never imports
// it: the commands hand it to the store as a store.TextReader).
package ocr
