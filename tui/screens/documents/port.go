package documents

import "medisecure/core"

// Port is what the documents screen needs of a session.
type Port interface {
	// Documents lists a patient's documents, newest first, and logs the
	// view with reason.
	Documents(patient core.ID, reason string) ([]core.Document, error)
	// Document opens one document with its text and logs the view.
	Document(id core.ID) (core.Document, error)
	// AddDocumentFile adds a file's bytes to a patient's documents; a file
	// that is not a whole PDF, PNG, JPEG or TIFF of at most 50 MiB is
	// refused with an error wrapping core.ErrFileRefused.
	AddDocumentFile(patient core.ID, t core.DocumentType, title string, data []byte) (core.Document, error)
	// ReviewDocument marks a document reviewed by the user.
	ReviewDocument(id core.ID) (core.Document, error)
	// ReadText reads a document's text (OCR for scans), calling progress
	// page by page, and records the outcome, failures included.
	ReadText(id core.ID, progress func(done, total int)) (core.Document, error)
	// HasContent reports whether the document's file is on this
	// workstation (a synced record's file may come later).
	HasContent(id core.ID) bool
}
