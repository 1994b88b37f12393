package inbox

import "medisecure/core"

// Port is what the inbox needs of a session.
type Port interface {
	// Inbox lists the messages the user received or sent, newest first,
	// opened from their own sealed copy, with ReadBy from the receipts.
	Inbox() ([]core.Message, error)
	// OpenMessage opens one of the user's messages and, the first time a
	// recipient opens it, records that they read it. A message the user
	// holds no copy of is an error wrapping the store's ErrNotFound.
	OpenMessage(id core.ID) (core.Message, error)
	// SaveAttachments saves the files of one of the user's messages into
	// a folder, never over an existing file, and returns the paths
	// written. It fails over SSH (the folder would be on the clinic host).
	SaveAttachments(id core.ID, dir string) ([]string, error)
}
