package compose

import "medisecure/core"

// Port is what the compose form needs of a session.
type Port interface {
	// SendMessage seals the message and its files to each recipient (users
	// by name, or "role:ROLE") and returns it as the sender reads it.
	SendMessage(m core.Message, files ...core.File) (core.Message, error)
	// OpenMessage opens the message a reply answers.
	OpenMessage(id core.ID) (core.Message, error)
	// ReadAttachment reads a file the user named; it fails over SSH.
	ReadAttachment(path string) (core.File, error)
}
