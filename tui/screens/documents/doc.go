// Package documents is a patient's documents, opened from the chart: the
// list by date and type with a NEW mark until a clinician reviews it, the
// text read from one, adding a file by its path, and the text being read
// in the background with its progress shown.
//
// It imports tui/ui and core only, never the root or another screen.
package documents
