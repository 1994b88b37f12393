package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"

	"medisecure/core"
	"medisecure/store"
	"medisecure/store/ocr"
	"medisecure/sync/client"
)

// docCmd is clinic doc.
func (a *app) docCmd() *cobra.Command {
	return group("doc", "add, list, read, search and save patients' documents (lab results, letters, scans)",
		a.docAddCmd(), a.docListCmd(), a.docShowCmd(), a.docGetCmd(), a.docReviewCmd(), a.docSearchCmd(), a.docOCRCmd(), a.docConfigCmd())
}

// docTypes is the --type help.
const docTypes = "lab, referral, imaging, letter, consent or other"

// docAddCmd is clinic doc add PATIENT FILE --type T.
func (a *app) docAddCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add PATIENT FILE --type lab|referral|imaging|letter|consent|other [--title T] [--date D] [--no-ocr]",
		Short: "add a PDF, PNG, JPEG or TIFF (at most 50 MiB) to a patient's documents, print its ID, then read its text",
		Args:  exactArgs(2),
	}
	f := cmd.Flags()
	kind := f.String("type", "", "what the document is: "+docTypes)
	title := f.String("title", "", "the title shown in the list (default: the file's name)")
	date := f.String("date", "", "the date on the document, such as 2026-03-02")
	noOCR := f.Bool("no-ocr", false, "store the file only; read its text later with clinic doc ocr")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if *kind == "" {
			return usagef("give --type, one of %s", docTypes)
		}
		t, err := core.ParseDocumentType(*kind)
		if err != nil {
			return err
		}
		var day core.Date
		if *date != "" {
			if day, err = core.ParseDateIn(*date, a.e.zone()); err != nil {
				return err
			}
		}
		data, err := readDocumentFile(args[1])
		if err != nil {
			return err
		}
		if *title == "" {
			*title = filepath.Base(args[1])
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			id, err := patientArg(s, args[0])
			if err != nil {
				return err
			}
			d, err := s.AddDocument(store.NewDocument{PatientID: id, Type: t, Title: *title, Date: day, Data: data})
			if err != nil {
				return err
			}
			fmt.Fprintln(a.e.stdout, d.ID)
			if *noOCR {
				return nil
			}
			a.readText(cmd.Context(), s, d.ID)
			return nil
		})
	}
	return cmd
}

// readDocumentFile reads a file to add, refusing one over the limit
// before reading it.
func readDocumentFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() {
		return nil, usagef("cannot read %s: not a file here", path)
	}
	if info.Size() > core.MaxDocumentBytes {
		return nil, fmt.Errorf("%w: %s is %.1f MiB, more than the 50 MiB a document may be", core.ErrFileRefused, filepath.Base(path), float64(info.Size())/(1<<20))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("cannot read %s", path)
	}
	return data, nil
}

// engine is the OCR engine with this workstation's languages.
func engine(s *store.Session) ocr.Engine { return ocr.Engine{Langs: s.OCRLanguages()} }

// readText reads a stored document's text and says on stderr how it went;
// a failure leaves the document stored, to be retried.
func (a *app) readText(ctx context.Context, s *store.Session, id core.ID) bool {
	if ctx == nil {
		ctx = context.Background()
	}
	d, err := s.ReadDocumentText(ctx, id, engine(s), nil)
	if err != nil {
		fmt.Fprintf(a.e.stderr, "%s: text not read yet (%s); the file is kept, and clinic doc ocr tries again\n", id, a.e.message(err))
		return false
	}
	fmt.Fprintf(a.e.stderr, "%s: text read by %s, %d characters\n", id, d.TextSource, len([]rune(d.ExtractedText)))
	return true
}

// docListCmd is clinic doc list PATIENT.
func (a *app) docListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list PATIENT [--json]",
		Short: "list a patient's documents, newest first; NEW marks those not yet reviewed",
		Args:  exactArgs(1),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			id, err := patientArg(s, args[0])
			if err != nil {
				return err
			}
			docs, err := s.Documents(id, "clinic doc list")
			if err != nil {
				return err
			}
			if docs == nil {
				docs = []core.Document{}
			}
			rows := make([][]string, len(docs))
			for i, d := range docs {
				mark := ""
				if !d.Reviewed() {
					mark = "NEW"
				}
				rows[i] = []string{string(d.ID), docDate(&d), string(d.Type), d.Title, mark, textWord(&d, s.HasContent(d.ID))}
			}
			return table(a.e.stdout, a.c.json, docs, []string{"ID", "DATE", "TYPE", "TITLE", "", "TEXT"}, rows)
		})
	}
	return cmd
}

// docDate is the date a list shows for a document.
func docDate(d *core.Document) string {
	if d.Date != "" {
		return string(d.Date)
	}
	return d.CreatedAt.Format("2006-01-02")
}

// textWord says where reading a document's text stands.
func textWord(d *core.Document, here bool) string {
	switch {
	case d.TextState == core.TextRead:
		return "read"
	case !here:
		return "file not here yet"
	case d.TextState == core.TextFailed:
		return fmt.Sprintf("failed %d×, will retry", d.TextAttempts)
	}
	return "pending"
}

// docShowCmd is clinic doc show ID.
func (a *app) docShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "show a document's details and the text read from it",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				d, err := s.Document(core.ID(args[0]))
				if err != nil {
					return err
				}
				if a.c.json {
					return table(a.e.stdout, true, d, nil, nil)
				}
				var b strings.Builder
				fmt.Fprintf(&b, "%s  %s  %s\n", docDate(&d), d.Type, core.SafeText(d.Title))
				fmt.Fprintf(&b, "%s, %.1f KiB, added by %s", d.MIMEType, float64(d.SizeBytes)/1024, core.SafeText(d.UploadedBy))
				if d.Reviewed() {
					fmt.Fprintf(&b, ", reviewed by %s", core.SafeText(d.ReviewedBy))
				} else {
					b.WriteString(", NEW (not reviewed)")
				}
				b.WriteString("\n\n")
				switch d.TextState {
				case core.TextRead:
					b.WriteString(core.SafeBlock(d.ExtractedText))
				case core.TextFailed:
					fmt.Fprintf(&b, "(the text could not be read: %s)", core.SafeText(d.TextError))
				default:
					b.WriteString("(the text has not been read yet)")
				}
				fmt.Fprintln(a.e.stdout, b.String())
				return nil
			})
		},
	}
}

// docGetCmd is clinic doc get ID --out FILE.
func (a *app) docGetCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "get ID --out FILE [--insecure] [--ca FILE]",
		Short: "save a document's original file, fetching it from the sync server first when it has not come yet (never over an existing file; the export is logged)",
		Args:  exactArgs(1),
	}
	out := cmd.Flags().String("out", "", "the file to write")
	insecure := cmd.Flags().Bool("insecure", false, "allow plaintext to a sync server that is not on loopback")
	ca := cmd.Flags().String("ca", "", "PEM `FILE` of the certificate authority that signed the sync server's certificate")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if *out == "" {
			return usagef("give --out FILE")
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			id := core.ID(args[0])
			_, data, err := s.DocumentContent(id)
			if errors.Is(err, store.ErrNoContent) {
				if err = a.fetchNow(cmd.Context(), s, id, client.DialOptions{Insecure: *insecure, CAFile: *ca}); err == nil {
					_, data, err = s.DocumentContent(id)
				}
			}
			if err != nil {
				return err
			}
			f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if errors.Is(err, fs.ErrExist) {
				return usagef("%s already exists; choose another name", *out)
			}
			if err != nil {
				return usagef("cannot write %s", *out)
			}
			_, werr := f.Write(data)
			if cerr := f.Close(); werr != nil || cerr != nil {
				return usagef("cannot write %s", *out)
			}
			fmt.Fprintln(a.e.stdout, *out)
			return nil
		})
	}
	return cmd
}

// docReviewCmd is clinic doc review ID.
func (a *app) docReviewCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "review ID",
		Short: "mark a document reviewed, which takes its NEW mark away",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				d, err := s.ReviewDocument(core.ID(args[0]))
				if err != nil {
					return err
				}
				fmt.Fprintf(a.e.stdout, "%s reviewed by %s\n", d.ID, core.SafeText(d.ReviewedBy))
				return nil
			})
		},
	}
}

// docHit is one search result as --json writes it.
type docHit struct {
	ID        core.ID           `json:"id"`
	PatientID core.ID           `json:"patient_id"`
	Date      string            `json:"date"`
	Type      core.DocumentType `json:"type"`
	Title     string            `json:"title"`
	Line      string            `json:"line"`
}

// docSearchCmd is clinic doc search TEXT.
func (a *app) docSearchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "search TEXT [--patient PATIENT] [--json]",
		Short: "find documents whose text holds every word, newest first, with the line that matched (clinicians)",
		Args:  cobra.MinimumNArgs(1),
	}
	patient := cmd.Flags().String("patient", "", "only this patient's documents")
	limit := cmd.Flags().Int("limit", 50, "at most this many documents")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		query := strings.Join(args, " ")
		if strings.TrimSpace(query) == "" {
			return usagef("give the words to look for")
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			var id core.ID
			if *patient != "" {
				var err error
				if id, err = patientArg(s, *patient); err != nil {
					return err
				}
			}
			hits, err := s.SearchDocuments(query, id, *limit)
			if err != nil {
				return err
			}
			list := make([]docHit, len(hits))
			rows := make([][]string, len(hits))
			for i, h := range hits {
				d := h.Document
				list[i] = docHit{ID: d.ID, PatientID: d.PatientID, Date: docDate(&d), Type: d.Type, Title: d.Title, Line: h.Line}
				rows[i] = []string{string(d.ID), string(d.PatientID), docDate(&d), string(d.Type), d.Title, h.Line}
			}
			return table(a.e.stdout, a.c.json, list, []string{"ID", "PATIENT", "DATE", "TYPE", "TITLE", "LINE"}, rows)
		})
	}
	return cmd
}

// docOCRCmd is clinic doc ocr [ID…].
func (a *app) docOCRCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "ocr [ID…]",
		Short: "read the text of the given documents, or of every document still waiting (failures are retried up to 5 times)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				ids := make([]core.ID, len(args))
				for i, arg := range args {
					ids[i] = core.ID(arg)
				}
				if len(ids) == 0 {
					var err error
					if ids, err = s.PendingText(); err != nil {
						return err
					}
				}
				failed := 0
				for _, id := range ids {
					if !a.readText(cmd.Context(), s, id) {
						failed++
					}
				}
				fmt.Fprintf(a.e.stdout, "%d read, %d not\n", len(ids)-failed, failed)
				return nil
			})
		},
	}
}

// docConfigCmd is clinic doc config --ocr-langs L.
func (a *app) docConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config [--ocr-langs eng+deu]",
		Short: "show or set this workstation's OCR languages (tesseract's names joined by +)",
		Args:  exactArgs(0),
	}
	langs := cmd.Flags().String("ocr-langs", "", "the languages OCR reads, such as eng+deu")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			if *langs != "" {
				if err := ocr.CheckLanguages(cmd.Context(), *langs); err != nil {
					return err
				}
				if err := s.SetOCRLanguages(*langs); err != nil {
					return err
				}
			}
			fmt.Fprintf(a.e.stdout, "ocr-langs %s\n", s.OCRLanguages())
			return nil
		})
	}
	return cmd
}

// syncDocuments moves document files after a round of sync and says so
// when it moved any or some are still to come; a server without document
// sync is not an error, and a failure leaves the files to the next sync.
func (a *app) syncDocuments(ctx context.Context, c *client.Client, conn grpc.ClientConnInterface) {
	rep, err := c.SyncDocuments(ctx, conn)
	switch {
	case errors.Is(err, client.ErrNoDocuments):
	case err != nil:
		fmt.Fprintf(a.e.stderr, "document files not synced yet (%s); the next sync tries again\n", a.e.message(err))
	case rep.Sent+rep.Fetched+rep.Waiting > 0:
		fmt.Fprintf(a.e.stdout, "documents: %d sent, %d fetched, %d still to come\n", rep.Sent, rep.Fetched, rep.Waiting)
	}
}

// ErrNotOnServer is returned when a document's file is neither here nor
// on the sync server yet: the workstation that added it has not synced.
var ErrNotOnServer = core.NewError(core.ClassStore, "clinic: the document's file is not on the sync server yet; the workstation that added it must sync first")

// fetchNow fetches one document's file from the remembered sync server,
// on demand; a store that never synced keeps ErrNoContent.
func (a *app) fetchNow(ctx context.Context, s *store.Session, id core.ID, dial client.DialOptions) error {
	st, err := s.SyncState()
	if err != nil {
		return err
	}
	if st.Server == "" {
		return fmt.Errorf("%w (document %s)", store.ErrNoContent, id)
	}
	conn, err := client.Dial(st.Server, dial)
	if err != nil {
		return usageErr(err)
	}
	defer conn.Close()
	whole, err := client.New(conn, s, client.Options{Addr: st.Server, Now: a.e.now}).FetchDocument(ctx, conn, id)
	switch {
	case err != nil:
		return err
	case !whole:
		return ErrNotOnServer
	}
	return nil
}
