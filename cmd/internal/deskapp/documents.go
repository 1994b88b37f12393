package deskapp

import (
	"context"

	"medisecure/core"
	"medisecure/store/ocr"
)

// ReadText reads a document's text with the OCR tools and this
// workstation's languages, for the documents screen, which runs it in the
// background.
func (s tuiSession) ReadText(id core.ID, progress func(done, total int)) (core.Document, error) {
	return s.ReadDocumentText(context.Background(), id, ocr.Engine{Langs: s.OCRLanguages()}, progress)
}
