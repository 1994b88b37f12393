package main

import (
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"medisecure/cmd/internal/deskapp"
	"medisecure/core"
	"medisecure/store"
)

// messageCmd is clinic message.
func (a *app) messageCmd() *cobra.Command {
	return group("message", "send and read messages between staff, sealed to each recipient", a.messageSendCmd(), a.messageReplyCmd(), a.messageInboxCmd(), a.messageReadCmd())
}

// messageSendCmd is clinic message send.
func (a *app) messageSendCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "send --to USER[,USER] --subject S --body B [--attach FILE]... [--patient ID] [--reply-to ID]",
		Short: "send a message (and files of at most 2 MiB each) sealed to each recipient, and print its ID",
		Args:  exactArgs(0),
	}
	f := cmd.Flags()
	to := f.StringSlice("to", nil, "the user names to send to, comma-separated; role:doctor reaches every doctor (required)")
	subject := f.String("subject", "", "the subject (required)")
	body := f.String("body", "", "the text (required)")
	attach := f.StringArray("attach", nil, "attach `FILE` (PDF, PNG, JPEG or plain text, at most 2 MiB); repeat for more")
	patient := f.String("patient", "", "the patient `ID` the message is about")
	reply := f.String("reply-to", "", "the message `ID` this answers")
	cmd.RunE = func(_ *cobra.Command, _ []string) error {
		if len(*to) == 0 || *subject == "" || *body == "" {
			return usagef("give --to, --subject and --body")
		}
		if len(*attach) > 0 && a.e.host != nil {
			return usagef("files cannot be attached over ssh: the path would be read on the clinic host; run clinic message send on your own workstation")
		}
		files, err := readAttachments(*attach)
		if err != nil {
			return err
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			m := core.Message{To: *to, Subject: *subject, Body: *body, ReplyTo: core.ID(*reply)}
			if *patient != "" {
				if m.PatientID, err = patientArg(s, *patient); err != nil {
					return err
				}
			}
			sent, err := s.SendMessage(m, files...)
			if err != nil {
				return err
			}
			return a.created(sent.ID, sent)
		})
	}
	return cmd
}

// messageReplyCmd is clinic message reply ID.
func (a *app) messageReplyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reply ID --body B [--all] [--attach FILE]...",
		Short: "answer a message (its sender, or with --all everyone on it) and print the reply's ID",
		Args:  exactArgs(1),
	}
	f := cmd.Flags()
	body := f.String("body", "", "the text (required)")
	all := f.Bool("all", false, "answer the sender and every other recipient")
	attach := f.StringArray("attach", nil, "attach `FILE` (PDF, PNG, JPEG or plain text, at most 2 MiB); repeat for more")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		id, err := core.ParseID(args[0])
		if err != nil {
			return usageErr(err)
		}
		if *body == "" {
			return usagef("give --body")
		}
		if len(*attach) > 0 && a.e.host != nil {
			return usagef("files cannot be attached over ssh: the path would be read on the clinic host; run clinic message reply on your own workstation")
		}
		files, err := readAttachments(*attach)
		if err != nil {
			return err
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			orig, err := s.OpenMessage(id)
			if err != nil {
				return err
			}
			sent, err := s.SendMessage(replyTo(orig, s.User().Name, *body, *all), files...)
			if err != nil {
				return err
			}
			return a.created(sent.ID, sent)
		})
	}
	return cmd
}

// replyTo is the answer to orig from me: to its sender (with all, to
// everyone on it but me), "Re: " before the subject once, about the same
// patient.
func replyTo(orig core.Message, me, body string, all bool) core.Message {
	to := []string{orig.From}
	if all {
		to = append(to, orig.To...)
	}
	var out []string
	for _, name := range to {
		if name != me && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		out = []string{orig.From}
	}
	subject := orig.Subject
	if !strings.HasPrefix(subject, "Re: ") {
		subject = "Re: " + subject
	}
	return core.Message{To: out, Subject: subject, Body: body, ReplyTo: orig.ID, PatientID: orig.PatientID}
}

// readAttachments reads the files to attach, refusing one too large before
// reading it.
func readAttachments(paths []string) ([]store.File, error) {
	var files []store.File
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil || !info.Mode().IsRegular() {
			return nil, usagef("cannot read %s: not a file here", p)
		}
		if info.Size() > core.MaxAttachmentBytes {
			return nil, &core.ValidationError{Kind: core.KindAttachment, Fields: []core.FieldError{{
				Field: "file", Message: fmt.Sprintf("%s is %.1f MiB; a message takes files of at most 2 MiB", filepath.Base(p), float64(info.Size())/(1<<20)),
			}}}
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, usagef("cannot read %s", p)
		}
		files = append(files, store.File{Name: filepath.Base(p), MIMEType: fileType(p, data), Data: data})
	}
	return files, nil
}

// fileType is a file's MIME type without parameters, from its extension or
// else its first bytes.
func fileType(path string, data []byte) string {
	t := mime.TypeByExtension(strings.ToLower(filepath.Ext(path)))
	if t == "" {
		t = http.DetectContentType(data)
	}
	t, _, _ = strings.Cut(t, ";")
	return strings.TrimSpace(t)
}

// inboxRow is one message as clinic message inbox --json lists it.
type inboxRow struct {
	core.Message
	Unread bool `json:"unread"`
}

// messageInboxCmd is clinic message inbox.
func (a *app) messageInboxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inbox [--unread] [--json]",
		Short: "list the messages you received and sent, newest first",
		Args:  exactArgs(0),
	}
	unread := cmd.Flags().Bool("unread", false, "only the messages you received and have not read")
	cmd.RunE = func(_ *cobra.Command, _ []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			all, err := s.Inbox()
			if err != nil {
				return err
			}
			list := []inboxRow{}
			var rows [][]string
			for _, m := range all {
				if *unread && !s.Unread(m) {
					continue
				}
				m.Body = ""
				list = append(list, inboxRow{m, s.Unread(m)})
				state := "read"
				switch {
				case m.From == s.User().Name:
					state = "sent"
				case s.Unread(m):
					state = "NEW"
				}
				files := ""
				if n := len(m.Attachments); n > 0 {
					files = fmt.Sprintf("%d file(s)", n)
				}
				rows = append(rows, []string{string(m.ID), m.CreatedAt.In(a.e.zone()).Format("2006-01-02 15:04"), state, m.From, strings.Join(m.To, ","), clipText(m.Subject, 50), files})
			}
			if a.c.json {
				return table(a.e.stdout, true, list, nil, nil)
			}
			if len(rows) == 0 {
				_, err := fmt.Fprintln(a.e.stdout, "no messages")
				return err
			}
			return table(a.e.stdout, false, nil, []string{"ID", "WHEN", "STATE", "FROM", "TO", "SUBJECT", "FILES"}, rows)
		})
	}
	return cmd
}

// messageReadCmd is clinic message read ID.
func (a *app) messageReadCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "read ID [--save-attachments DIR]",
		Short: "show a message (marking it read) and save its files into a folder",
		Args:  exactArgs(1),
	}
	dir := cmd.Flags().String("save-attachments", "", "write the message's files into `DIR` (never over an existing file)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		id, err := core.ParseID(args[0])
		if err != nil {
			return usageErr(err)
		}
		if *dir != "" && a.e.host != nil {
			return usagef("files cannot be saved over ssh: the folder would be on the clinic host; run clinic message read on your own workstation")
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			m, files, err := s.ReadMessage(id)
			if err != nil {
				return err
			}
			var saved []string
			if *dir != "" {
				if saved, err = deskapp.SaveFiles(*dir, files); err != nil {
					return usageErr(err)
				}
			}
			if a.c.json {
				return table(a.e.stdout, true, m, nil, nil)
			}
			return a.printMessage(m, saved)
		})
	}
	return cmd
}

// printMessage writes a message as plain text, with where its files went.
func (a *app) printMessage(m core.Message, saved []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "From:    %s\nTo:      %s\nDate:    %s\nSubject: %s\n", core.SafeText(m.From), core.SafeText(strings.Join(m.To, ", ")),
		m.CreatedAt.In(a.e.zone()).Format("Mon 2 Jan 2006 15:04"), core.SafeText(m.Subject))
	if m.PatientID != "" {
		fmt.Fprintf(&b, "Patient: %s\n", m.PatientID)
	}
	if len(m.ReadBy) > 0 {
		fmt.Fprintf(&b, "Read by: %s\n", core.SafeText(strings.Join(m.ReadBy, ", ")))
	}
	fmt.Fprintf(&b, "\n%s\n", core.SafeBlock(m.Body))
	for i, f := range m.Attachments {
		fmt.Fprintf(&b, "\nAttachment: %s (%s, %d bytes)", core.SafeText(f.FileName), f.MIMEType, f.SizeBytes)
		if i < len(saved) {
			fmt.Fprintf(&b, " saved to %s", core.SafeText(saved[i]))
		}
	}
	if len(m.Attachments) > 0 {
		b.WriteByte('\n')
	}
	_, err := fmt.Fprint(a.e.stdout, b.String())
	return err
}
