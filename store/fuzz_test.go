package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// Fuzz targets for every decoder of stored bytes. Under plain `go test` they
// run their seed corpus: the f.Add seeds below and the files in
// testdata/fuzz/<target>/ (valid, truncated and tampered values).

// fuzzSealer is the sealer the fuzz targets and their corpus files use: an
// all-zero key, so a value sealed once stays valid in testdata.
func fuzzSealer(t testing.TB) *sealer {
	t.Helper()
	s, err := newSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sampleRecord is a record with two stamps, as a patient edited once looks.
func sampleRecord() *core.Record {
	r := core.NewRecord(core.KindPatient, fakeID(7))
	first := &core.Change{Fields: map[string]json.RawMessage{
		"id": json.RawMessage(`"` + string(fakeID(7)) + `"`), "name": json.RawMessage(`"Zoë Łukasiewicz"`),
		"dob": json.RawMessage(`"1984-03-27"`), "phone": json.RawMessage(`"+48 601 555 013"`),
		"consent": json.RawMessage(`{"sms":true,"email":false}`), "deleted": json.RawMessage(`false`),
	}, Device: "a1b2c3d4e5f60718", HLC: core.MakeHLC(1_790_000_000_000, 0)}
	edit := &core.Change{Fields: map[string]json.RawMessage{"phone": json.RawMessage(`"555 0101"`)}, Device: "ffeeddccbbaa9988", HLC: core.MakeHLC(1_790_000_060_000, 3)}
	r.Apply(first)
	r.Apply(edit)
	return r
}

// variants returns b, every prefix of it at a few cut points and copies
// with one byte flipped, as seeds.
func variants(b []byte) [][]byte {
	out := [][]byte{b}
	for _, cut := range []int{0, 1, len(b) / 3, len(b) / 2, len(b) - 1} {
		if cut >= 0 && cut < len(b) {
			out = append(out, b[:cut])
		}
	}
	for _, at := range []int{0, 1, len(b) / 2, len(b) - 1} {
		if at >= 0 && at < len(b) {
			out = append(out, flipped(b, at))
		}
	}
	return append(out, append(append([]byte(nil), b...), 0))
}

func FuzzDecodeRecord(f *testing.F) {
	for _, r := range []*core.Record{sampleRecord(), core.NewRecord(core.KindPatient, fakeID(7))} {
		for _, v := range variants(encodeRecord(r)) {
			f.Add(v)
		}
	}
	// A count far beyond the bytes that follow.
	f.Add([]byte{recordFormat, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{recordFormat, 0, 1, 1, 'a', 5, 1, '1'})
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := decodeRecord(core.KindPatient, fakeID(7), b)
		if err != nil {
			return
		}
		again, err := decodeRecord(core.KindPatient, fakeID(7), encodeRecord(rec))
		if err != nil {
			t.Fatalf("re-encoding a decoded record: %v", err)
		}
		if !reflect.DeepEqual(rec, again) {
			t.Fatalf("round trip changed the record:\n%+v\n%+v", rec, again)
		}
	})
}

func TestSampleRecordRoundTrips(t *testing.T) {
	r := sampleRecord()
	got, err := decodeRecord(r.Kind, r.ID, encodeRecord(r))
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("decode(encode(r)) = %+v, %v; want %+v", got, err, r)
	}
}

// sampleDirEntry is a well-formed directory entry with fixed keys.
func sampleDirEntry() []byte {
	e := dirEntry{
		User:     core.User{Name: "drwho", Role: core.RoleDoctor},
		BoxPub:   bytes.Repeat([]byte{1}, 32),
		SignPub:  bytes.Repeat([]byte{2}, 32),
		Grants:   map[string][]byte{"1": bytes.Repeat([]byte{3}, 80)},
		SignedBy: "admin", Sig: bytes.Repeat([]byte{4}, 64),
		KDF: testKDF, Salt: bytes.Repeat([]byte{5}, 16), Private: bytes.Repeat([]byte{6}, 104),
	}
	return mustJSON(e)
}

func FuzzDecodeDirEntry(f *testing.F) {
	for _, v := range variants(sampleDirEntry()) {
		f.Add(v)
	}
	for _, s := range []string{`{}`, `null`, `[]`, `{"kdf":{"t":1,"m":4194304,"p":255}}`, `{"box_pub":"AQ=="}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeDirEntry(b)
		if err != nil {
			return
		}
		// What decodes re-encodes to a fixed point.
		enc := mustJSON(e)
		again, err := decodeDirEntry(enc)
		if err != nil {
			t.Fatalf("re-encoded entry does not decode: %v", err)
		}
		if !bytes.Equal(mustJSON(again), enc) {
			t.Fatalf("round trip changed the entry:\n%s\n%s", enc, mustJSON(again))
		}
	})
}

// shardIDs are two patient IDs that share search shard 7.
var shardIDs = [2]core.ID{fakeID(7), core.ID("000000000000000000000107")}

// sampleShard is an opened search shard holding two patients, written by
// searchIndex.persist.
func sampleShard(t testing.TB) []byte {
	t.Helper()
	b, err := bolt.Open(filepath.Join(t.TempDir(), "shard.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s := fuzzSealer(t)
	zoe := entryFor(&core.Patient{Meta: core.Meta{ID: shardIDs[0]}, Name: "Zoë Łukasiewicz", DOB: "1984-03-27", Phone: "+48 601 555 013"})
	ann := entryFor(&core.Patient{Meta: core.Meta{ID: shardIDs[1]}, Name: "Ann Smith", DOB: "1990-01-02"})
	var plain []byte
	err = b.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucket(bucketSearch); err != nil {
			return err
		}
		if err := newSearchIndex(emptyScan()).persist(tx, s, searchBatch{shardIDs[0]: &zoe, shardIDs[1]: &ann}); err != nil {
			return err
		}
		key := []byte{shardOf(shardIDs[0])}
		plain, err = s.open(bucketSearch, key, tx.Bucket(bucketSearch).Get(key))
		return err
	})
	if err != nil {
		t.Fatalf("writing a shard: %v", err)
	}
	return plain
}

// indexOfShard decodes an opened shard, and into a fresh index as
// loadSearch does for each shard.
func indexOfShard(b []byte) (*searchIndex, []idEntry, error) {
	entries, err := decodeShard(nil, b)
	if err != nil {
		return nil, nil, err
	}
	ix := newSearchIndex(emptyScan())
	return ix, entries, ix.decodeShard(b)
}

func TestSampleShardDecodes(t *testing.T) {
	ix, _, err := indexOfShard(sampleShard(t))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := ix.name(shardIDs[0]); n != "Zoë Łukasiewicz" {
		t.Errorf("name of %s = %q", shardIDs[0], n)
	}
	if got := ix.find("zoe 601", 5); len(got) != 1 || got[0] != shardIDs[0] {
		t.Errorf("find in the decoded shard = %v", got)
	}
	if ix.size() != 2 {
		t.Errorf("decoded %d entries, want 2", ix.size())
	}
}

func FuzzDecodeShard(f *testing.F) {
	for _, v := range variants(sampleShard(f)) {
		f.Add(v)
	}
	// An entry whose name length runs past the end.
	f.Add(append(bytes.Repeat([]byte{0xab}, 12), 0xff, 0xff, 0xff, 0xff, 0x0f, 'x'))
	f.Fuzz(func(t *testing.T, b []byte) {
		ix, entries, err := indexOfShard(b)
		if err != nil {
			return
		}
		if len(entries) > len(b)/14 {
			t.Fatalf("%d entries from %d bytes", len(entries), len(b))
		}
		for _, e := range entries {
			if e.id.Bytes() == nil {
				t.Fatalf("decoded a malformed id %q", e.id)
			}
		}
		ix.find("a", 10) // a decoded index can be searched
	})
}

// sampleAccess is an access-log entry as the store seals it at key 3.
func sampleAccess() core.AccessEntry {
	return core.AccessEntry{
		Seq: 3, At: time.Date(2026, 11, 26, 8, 3, 0, 0, time.UTC), User: "desk", Role: core.RoleReception,
		PatientID: fakeID(7), Action: core.AccessView, Reason: "check-in", Prev: bytes.Repeat([]byte{9}, core.AccessHashSize),
	}
}

func FuzzDecodeAccess(f *testing.F) {
	s := fuzzSealer(f)
	key := u64(3)
	for _, v := range variants(s.seal(bucketAudit, key, mustJSON(sampleAccess()))) {
		f.Add(key, v)
	}
	// Sealed right but not an entry, and an entry moved to another key.
	f.Add(key, s.seal(bucketAudit, key, []byte("not json")))
	f.Add(u64(4), s.seal(bucketAudit, key, mustJSON(sampleAccess())))
	f.Fuzz(func(t *testing.T, key, sealed []byte) {
		e, err := decodeAccess(s, key, sealed)
		if err != nil {
			return
		}
		again, err := decodeAccess(s, key, s.seal(bucketAudit, key, mustJSON(e)))
		if err != nil {
			t.Fatalf("resealed entry does not decode: %v", err)
		}
		if !bytes.Equal(again.Hash(), e.Hash()) {
			t.Fatalf("round trip changed the entry:\n%+v\n%+v", e, again)
		}
	})
}

func FuzzSealerOpen(f *testing.F) {
	s := fuzzSealer(f)
	sealed := s.seal(bucketRecords, fakeID(7).Bytes(), []byte(`{"name":"Zoë"}`))
	for _, v := range variants(sealed) {
		f.Add(bucketRecords, fakeID(7).Bytes(), v)
	}
	f.Add(bucketAudit, fakeID(7).Bytes(), sealed) // moved to another bucket
	f.Add([]byte{}, []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, bucket, key, data []byte) {
		// Any bytes: an error, never a panic.
		_, _ = s.open(bucket, key, data)
		// data as a plain value: sealed, it opens where it was sealed and
		// nowhere else, and not once altered.
		v := s.seal(bucket, key, data)
		got, err := s.open(bucket, key, v)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("open(seal(x)) = %q, %v; want %q", got, err, data)
		}
		if _, err := s.open(bucket, append(append([]byte(nil), key...), 0), v); err == nil {
			t.Fatal("a value opened under another key")
		}
		if _, err := s.open(bucket, key, flipped(v, len(v)/2)); err == nil {
			t.Fatal("an altered value opened")
		}
	})
}

// corpusArgs reads the arguments of a corpus file in testdata/fuzz
// (`go test fuzz v1`, then one []byte literal a line).
func corpusArgs(t testing.TB, target, name string) [][]byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "fuzz", target, name))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if lines[0] != "go test fuzz v1" {
		t.Fatalf("%s/%s: header %q", target, name, lines[0])
	}
	var out [][]byte
	for _, l := range lines[1:] {
		s, ok := strings.CutPrefix(l, "[]byte(")
		s, ok2 := strings.CutSuffix(s, ")")
		v, err := strconv.Unquote(s)
		if !ok || !ok2 || err != nil {
			t.Fatalf("%s/%s: %q is not a []byte literal", target, name, l)
		}
		out = append(out, []byte(v))
	}
	return out
}

// The valid files of the corpus stay valid: when an encoding changes, this
// fails and says which fixtures to regenerate.
func TestValidCorpusFilesDecode(t *testing.T) {
	s := fuzzSealer(t)
	for _, tc := range []struct {
		target, name string
		decode       func(args [][]byte) error
	}{
		{"FuzzDecodeRecord", "valid_two_stamps", func(a [][]byte) error {
			r, err := decodeRecord(core.KindPatient, fakeID(7), a[0])
			if err == nil && !reflect.DeepEqual(r, sampleRecord()) {
				return errors.New("decodes to another record")
			}
			return err
		}},
		{"FuzzDecodeAccess", "valid_entry", func(a [][]byte) error {
			e, err := decodeAccess(s, a[0], a[1])
			if err == nil && !bytes.Equal(e.Hash(), sampleAccess().Hash()) {
				return errors.New("decodes to another entry")
			}
			return err
		}},
		{"FuzzDecodeShard", "valid_two_patients", func(a [][]byte) error {
			ix, _, err := indexOfShard(a[0])
			if err != nil {
				return err
			}
			if ix.size() != 2 {
				return fmt.Errorf("decodes to %d entries", ix.size())
			}
			return nil
		}},
		{"FuzzDecodeDirEntry", "valid_entry", func(a [][]byte) error { _, err := decodeDirEntry(a[0]); return err }},
		{"FuzzSealerOpen", "valid_record", func(a [][]byte) error { _, err := s.open(a[0], a[1], a[2]); return err }},
	} {
		t.Run(tc.target, func(t *testing.T) {
			if err := tc.decode(corpusArgs(t, tc.target, tc.name)); err != nil {
				t.Errorf("testdata/fuzz/%s/%s: %v", tc.target, tc.name, err)
			}
		})
	}
}
