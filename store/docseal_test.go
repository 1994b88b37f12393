package store

import (
	"context"
	"testing"

	"medisecure/core"
	"medisecure/store/ocr"
	"medisecure/store/ocr/ocrtest"
)

// A document is clinical all through: with everything a reception or a
// billing login unlocks, no value of the store file holds the file's bytes
// or its extracted text (the search index); a doctor's login (the control)
// finds both.
func TestDocumentFilesOpenOnlyToClinicians(t *testing.T) {
	needOCR(t)
	f, p := docFixture(t)
	must(t, f.admin.AddUser(core.User{Name: "bill", Role: core.RoleBilling}, "billing-pass"))
	const inFile = "XQZ-FILE-TAIL-7731"
	data := append(ocrtest.PNG("Ferritin low repeat in March"), []byte(inFile)...)
	d, err := f.doctor.AddDocument(NewDocument{PatientID: p.ID, Type: core.DocLab, Title: "Result", Data: data})
	must(t, err)
	if d, err = f.doctor.ReadDocumentText(context.Background(), d.ID, ocr.Engine{}, nil); err != nil {
		t.Fatal(err)
	}
	if d.ExtractedText == "" {
		t.Fatal("no text was read: the test proves nothing")
	}
	secrets := []string{inFile, "Ferritin"}
	if got := revealed(unsealAll(t, f, "drwho", "doctor-pass"), secrets...); len(got) != len(secrets) {
		t.Fatalf("the doctor's keys open only %v: the walk proves nothing", got)
	}
	for _, login := range [][2]string{{"desk", "desk-pass"}, {"bill", "billing-pass"}} {
		if got := revealed(unsealAll(t, f, login[0], login[1]), secrets...); len(got) != 0 {
			t.Errorf("%s's login opens %v of a document", login[0], got)
		}
	}
}
