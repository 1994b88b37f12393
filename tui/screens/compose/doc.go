// Package compose is the form that writes a staff message or answers one:
// to users or roles ("role:doctor" reaches every doctor), a subject, the
// text, and files from typed paths (at a desk only; over SSH the path
// would be on the clinic host). It imports core and tui/ui only.
package compose
