package client_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/store"
	"medisecure/store/ocr"
	"medisecure/store/ocr/ocrtest"
	"medisecure/sync/client"
)

// cutProxy relays TCP between clients and the server on loopback and
// cuts every connection once every bytes have passed (both directions
// counted), so no call longer than that gets through on one connection.
type cutProxy struct {
	lis    net.Listener
	target string
	every  int64
	cuts   atomic.Int64
	wg     sync.WaitGroup
	mu     sync.Mutex
	open   map[net.Conn]bool
}

func startCutProxy(t testing.TB, target string, every int64) *cutProxy {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	p := &cutProxy{lis: lis, target: target, every: every, open: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *cutProxy) addr() string { return p.lis.Addr().String() }

func (p *cutProxy) close() {
	p.lis.Close()
	p.mu.Lock()
	for c := range p.open {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *cutProxy) serve() {
	defer p.wg.Done()
	for {
		down, err := p.lis.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			down.Close()
			continue
		}
		p.mu.Lock()
		p.open[down], p.open[up] = true, true
		p.mu.Unlock()
		var passed atomic.Int64
		var once sync.Once
		shut := func() {
			once.Do(func() {
				down.Close()
				up.Close()
			})
		}
		pipe := func(from, to net.Conn) {
			defer p.wg.Done()
			buf := make([]byte, 16<<10)
			for {
				n, err := from.Read(buf)
				if n > 0 {
					total := passed.Add(int64(n))
					if over := total - p.every; over > 0 {
						to.Write(buf[:n-int(min(over, int64(n)))])
						p.cuts.Add(1)
						shut()
						return
					}
					if _, err := to.Write(buf[:n]); err != nil {
						shut()
						return
					}
				}
				if err != nil {
					shut()
					return
				}
			}
		}
		p.wg.Add(2)
		go pipe(down, up)
		go pipe(up, down)
	}
}

// A 20 MB document added on one workstation reaches another through a
// link cut every 400 KB: its record with the batches, its file as sealed
// pieces that each reach the server and the other store exactly once,
// whole and equal to the original; neither the server file nor the
// stores hold its bytes in clear.
func TestDocumentSyncThroughCutLink(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	a, b := wss[0], wss[1]
	marker := []byte("HBA1C-FIFTY-EIGHT-MMOL-PER-MOL")
	rng := rand.New(rand.NewPCG(20, 20))
	data := ocrtest.PNG("Lab report")
	filler := make([]byte, 20<<20-len(data)-len(marker))
	for i := range filler {
		filler[i] = byte(rng.Uint32())
	}
	data = append(append(data, marker...), filler...) // bytes after the image's end are the file's, not the image's

	docA, err := a.db.Login(doctor, docPass)
	must(t, err)
	p, err := docA.AddPatient(core.Patient{Name: "Oda Brennan", DOB: "1949-02-11"})
	must(t, err)
	_, err = docA.Book(core.Appointment{PatientID: p.ID, Doctor: doctor, Start: time.Date(2026, 11, 27, 9, 0, 0, 0, a.db.Zone()), Minutes: 15})
	must(t, err)
	d, err := docA.AddDocument(store.NewDocument{PatientID: p.ID, Type: core.DocImaging, Title: "Scan", Data: data})
	must(t, err)
	a.sync()
	b.sync()

	docB, err := b.db.Login(doctor, docPass)
	must(t, err)
	if _, _, err := docB.DocumentContent(d.ID); err == nil {
		t.Fatal("the file is on the second workstation before its content was synced")
	}
	listed, err := docB.Documents(p.ID, "test")
	must(t, err)
	if len(listed) != 1 || listed[0].ID != d.ID {
		t.Fatalf("the second workstation lists %+v before the file came; want the record at once", listed)
	}

	proxy := startCutProxy(t, srv.addr, 400<<10)
	opts := fastOptions(srv.addr)
	opts.Backoff.Attempts = 3
	a.connect(proxy.addr(), opts)
	b.connect(proxy.addr(), opts)
	pieces := store.Pieces(d)
	sent, err := a.client.SyncDocuments(context.Background(), a.conn)
	if err != nil {
		t.Fatalf("sending: %v (after %d cuts)", err, proxy.cuts.Load())
	}
	if sent.Sent != 1 || sent.PiecesSent != pieces {
		t.Errorf("sent %+v, want 1 document and each of its %d pieces stored once", sent, pieces)
	}
	got, err := b.client.SyncDocuments(context.Background(), b.conn)
	if err != nil {
		t.Fatalf("fetching: %v (after %d cuts)", err, proxy.cuts.Load())
	}
	if got.Fetched != 1 || got.PiecesApplied != pieces || got.Waiting != 0 {
		t.Errorf("fetched %+v, want 1 document and each of its %d pieces applied once", got, pieces)
	}
	if n := proxy.cuts.Load(); n < 50 {
		t.Errorf("the link was cut only %d times", n)
	}
	_, content, err := docB.DocumentContent(d.ID)
	must(t, err)
	if !bytes.Equal(content, data) {
		t.Fatalf("the second workstation holds %d bytes that differ from the %d sent", len(content), len(data))
	}
	// Once more: nothing left to move.
	if again, err := b.client.SyncDocuments(context.Background(), b.conn); err != nil || again != (client.DocReport{}) {
		t.Errorf("a second round moved %+v, %v", again, err)
	}
	for _, path := range []string{srv.path, a.path, b.path} {
		raw, err := os.ReadFile(path)
		must(t, err)
		if bytes.Contains(raw, marker) || bytes.Contains(raw, filler[1000:1064]) {
			t.Errorf("%s holds the document's bytes in clear", path)
		}
	}
}

// A workstation that has a document's record opens its file on demand:
// FetchDocument brings that one file before any background round; a file
// the author has not sent yet is reported as not here. The text read from
// it reaches the other workstation with the record, and the server file
// holds no word of it.
func TestFetchDocumentOnDemand(t *testing.T) {
	if err := ocr.Check(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must install tesseract-ocr and poppler-utils: %v", err)
		}
		t.Skip(err)
	}
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	a, b := wss[0], wss[1]
	docA, err := a.db.Login(doctor, docPass)
	must(t, err)
	p, err := docA.AddPatient(core.Patient{Name: "Ivo Lund", DOB: "1958-06-01"})
	must(t, err)
	_, err = docA.Book(core.Appointment{PatientID: p.ID, Doctor: doctor, Start: time.Date(2026, 11, 27, 10, 0, 0, 0, a.db.Zone()), Minutes: 15})
	must(t, err)
	data := ocrtest.TextPDF("Discharge summary", "Home on day three.")
	d, err := docA.AddDocument(store.NewDocument{PatientID: p.ID, Type: core.DocLetter, Title: "Discharge", Data: data})
	must(t, err)
	_, err = docA.ReadDocumentText(context.Background(), d.ID, ocr.Engine{}, nil)
	must(t, err)
	a.sync()
	b.sync()
	if whole, err := b.client.FetchDocument(context.Background(), b.conn, d.ID); err != nil || whole {
		t.Fatalf("before the author sent it: whole %v, %v", whole, err)
	}
	if _, err := a.client.SyncDocuments(context.Background(), a.conn); err != nil {
		t.Fatal(err)
	}
	if whole, err := b.client.FetchDocument(context.Background(), b.conn, d.ID); err != nil || !whole {
		t.Fatalf("on demand: whole %v, %v", whole, err)
	}
	docB, err := b.db.Login(doctor, docPass)
	must(t, err)
	_, got, err := docB.DocumentContent(d.ID)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the file fetched on demand: %v", err)
	}
	if hits, err := docB.SearchDocuments("day three", "", 5); err != nil || len(hits) != 1 || hits[0].Line != "Home on day three." {
		t.Fatalf("search on the second workstation: %+v, %v", hits, err)
	}
	raw, err := os.ReadFile(srv.path)
	must(t, err)
	for _, w := range []string{"Discharge", "three", "Ivo Lund", "%PDF"} {
		if bytes.Contains(raw, []byte(w)) {
			t.Errorf("the server file holds %q", w)
		}
	}
}
