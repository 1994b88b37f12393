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
	return &Attachment{Meta: sampleMeta(51), MessageID: sampleID(50), Content: []byte{9, 8, 7}}
}

func validReceipt(tb testing.TB) *Receipt {
	tb.Helper()
	return &Receipt{Meta: Meta{ID: ReceiptID(sampleID(50), "nurse.kim"), CreatedAt: sampleAt, UpdatedAt: sampleAt, CreatedBy: "nurse.kim"}, MessageID: sampleID(50), Reader: "nurse.kim"}
}

func validInfo() AttachmentInfo {
	return AttachmentInfo{ID: sampleID(51), FileName: "blood-count.txt", MIMEType: "text/plain", SizeBytes: 120, SHA256: strings.Repeat("ab", 32)}
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
		{"no content", func(a *Attachment) { a.Content = nil }, []string{"content"}},
		{"too large", func(a *Attachment) { a.Content = make([]byte, MaxAttachmentBytes+sealOverhead+1) }, []string{"content"}},
	})
}

func TestReceiptValidate(t *testing.T) {
	assertValid(t, validReceipt(t))
	runInvalid(t, validReceipt, []invalidCase[*Receipt]{
		{"no message", func(r *Receipt) { r.MessageID = "" }, []string{"message"}},
		{"bad reader", func(r *Receipt) { r.Reader = "Nurse Kim" }, []string{"reader"}},
	})
	if ReceiptID(sampleID(50), "a") == ReceiptID(sampleID(50), "b") || ReceiptID(sampleID(50), "a") != ReceiptID(sampleID(50), "a") {
		t.Error("receipt IDs are not one per message and reader")
	}
	if ReceiptID(sampleID(50), "a").Bytes() == nil {
		t.Error("a receipt ID is malformed")
	}
}

func TestAttachmentInfoValidate(t *testing.T) {
	withInfo := func(tb testing.TB) *Message {
		m := validMessage(tb)
		m.Attachments = []AttachmentInfo{validInfo()}
		return m
	}
	assertValid(t, withInfo(t))
	runInvalid(t, withInfo, []invalidCase[*Message]{
		{"no name", func(m *Message) { m.Attachments[0].FileName = "" }, []string{"attachments[0].file_name"}},
		{"long name", func(m *Message) { m.Attachments[0].FileName = strings.Repeat("x", 256) }, []string{"attachments[0].file_name"}},
		{"path", func(m *Message) { m.Attachments[0].FileName = "../etc/passwd" }, []string{"attachments[0].file_name"}},
		{"windows path", func(m *Message) { m.Attachments[0].FileName = `C:\x.pdf` }, []string{"attachments[0].file_name"}},
		{"control character", func(m *Message) { m.Attachments[0].FileName = "x\n.pdf" }, []string{"attachments[0].file_name"}},
		{"dot dot", func(m *Message) { m.Attachments[0].FileName = ".." }, []string{"attachments[0].file_name"}},
		{"disallowed type", func(m *Message) { m.Attachments[0].MIMEType = "application/zip" }, []string{"attachments[0].mime_type"}},
		{"over 2 MiB", func(m *Message) { m.Attachments[0].SizeBytes = MaxAttachmentBytes + 1 }, []string{"attachments[0].size_bytes"}},
		{"too many", func(m *Message) {
			for len(m.Attachments) <= maxAttachments {
				m.Attachments = append(m.Attachments, validInfo())
			}
		}, []string{"attachments"}},
	})
	if err := CheckAttachment("scan.zip", "application/zip", 3<<20); err == nil || !strings.Contains(err.Error(), "2 MiB") {
		t.Errorf("CheckAttachment of a 3 MiB zip: %v", err)
	}
}
