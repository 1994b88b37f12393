package wire

import "testing"

// TestDocumentsCodeIsCurrent is TestGeneratedCodeIsCurrent for
// documents.proto, which imports sync.proto.
func TestDocumentsCodeIsCurrent(t *testing.T) { checkImportingCode(t, "documents") }

// TestPieceRequestsCarryAuth makes sure every request of the Documents
// service round-trips its Auth, which signing relies on.
func TestPieceRequestsCarryAuth(t *testing.T) {
	a := &Auth{OrgId: "org", DeviceId: "dev"}
	for _, r := range []Request{&HeldPiecesRequest{}, &PutPieceRequest{}, &GetPieceRequest{}} {
		r.SetAuth(a)
		if r.GetAuth() != a {
			t.Fatalf("%T: SetAuth did not set the Auth GetAuth returns", r)
		}
	}
	if n := len(Documents_ServiceDesc.Methods) + len(Documents_ServiceDesc.Streams); n != 3 {
		t.Fatalf("the Documents service has %d methods, the test knows 3", n)
	}
}
