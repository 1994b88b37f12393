package core

import (
	"strings"
	"testing"
)

func validMessage(tb testing.TB) *Message {
	tb.Helper()
	return &Message{
		Meta: sampleMeta(50), From: "dr.lee", To: []string{"nurse.kim", "reception1"}, PatientID: sampleID(1),
		Subject: "Lab results", Body: "Please call Ana about her blood count.", ReplyTo: sampleID(49),
		Sealed: map[string][]byte{"nurse.kim": {1, 2, 3}, "reception1": {4, 5}, "dr.lee": {6}},
		ReadBy: []string{"nurse.kim"},
	}
}

func validAttachment(tb testing.TB) *Attachment {
	tb.Helper()
	return &Attachment{
		Meta: sampleMeta(51), MessageID: sampleID(50), FileName: "blood-count.txt", MIMEType: "text/plain",
		SizeBytes: int64(len(sampleFile)), SHA256: sampleSHA(tb), Content: []byte{9, 8, 7},
	}
}

func TestMessageValidate(t *testing.T) {
	assertValid(t, validMessage(t))
	t.Run("sealed only", func(t *testing.T) {
		m := validMessage(t)
		m.Body = ""
		assertValid(t, m)
	})
	t.Run("plain only", func(t *testing.T) {
		m := validMessage(t)
		m.Sealed, m.PatientID, m.ReplyTo, m.ReadBy = nil, "", "", nil
		assertValid(t, m)
	})
	runInvalid(t, validMessage, []invalidCase[*Message]{
		{"no sender", func(m *Message) { m.From = "" }, []string{"from", "sealed"}},
		{"no recipients", func(m *Message) { m.To, m.ReadBy, m.Sealed = nil, nil, nil }, []string{"to"}},
		{"too many recipients", func(m *Message) {
			for i := 0; len(m.To) <= maxRecipients; i++ {
				m.To = append(m.To, "user"+string(rune('a'+i/26))+string(rune('a'+i%26)))
			}
		}, []string{"to"}},
		{"bad recipient", func(m *Message) { m.To[1] = "Reception One" }, []string{"to[1]", "sealed"}},
		{"repeated recipient", func(m *Message) { m.To = append(m.To, "nurse.kim") }, []string{"to[2]"}},
		{"malformed patient", func(m *Message) { m.PatientID = "p1" }, []string{"patient"}},
		{"long subject", func(m *Message) { m.Subject = strings.Repeat("x", 201) }, []string{"subject"}},
		{"no body", func(m *Message) { m.Body, m.Sealed = "", nil }, []string{"body"}},
		{"long body", func(m *Message) { m.Body = strings.Repeat("x", 20001) }, []string{"body"}},
		{"malformed reply", func(m *Message) { m.ReplyTo = "m1" }, []string{"reply_to"}},
		{"copy for a stranger", func(m *Message) { m.Sealed["billing1"] = []byte{1} }, []string{"sealed"}},
		{"empty copy", func(m *Message) { m.Sealed["nurse.kim"] = nil }, []string{"sealed"}},
		{"read by a stranger", func(m *Message) { m.ReadBy = append(m.ReadBy, "billing1") }, []string{"read_by[1]"}},
	})
}

func TestAttachmentValidate(t *testing.T) {
	assertValid(t, validAttachment(t))
	runInvalid(t, validAttachment, []invalidCase[*Attachment]{
		{"no message", func(a *Attachment) { a.MessageID = "" }, []string{"message"}},
		{"malformed message", func(a *Attachment) { a.MessageID = "nope" }, []string{"message"}},
		{"no name", func(a *Attachment) { a.FileName = "" }, []string{"file_name"}},
		{"long name", func(a *Attachment) { a.FileName = strings.Repeat("x", 256) }, []string{"file_name"}},
		{"path", func(a *Attachment) { a.FileName = "../etc/passwd" }, []string{"file_name"}},
		{"windows path", func(a *Attachment) { a.FileName = `C:\x.pdf` }, []string{"file_name"}},
		{"control character", func(a *Attachment) { a.FileName = "x\n.pdf" }, []string{"file_name"}},
		{"dot dot", func(a *Attachment) { a.FileName = ".." }, []string{"file_name"}},
		{"disallowed type", func(a *Attachment) { a.MIMEType = "application/zip" }, []string{"mime_type"}},
		{"over 20 MiB", func(a *Attachment) { a.SizeBytes = MaxFileBytes + 1 }, []string{"size_bytes"}},
		{"bad digest", func(a *Attachment) { a.SHA256 = "abc" }, []string{"sha256"}},
	})
}
