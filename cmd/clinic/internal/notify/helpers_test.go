package notify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"medisecure/core"
	"medisecure/store"
	"medisecure/sync/client"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
)

var testKDF = store.KDF{Time: 1, MemKiB: 64, Threads: 1}

const (
	adminPass = "admin-pass-1"
	deskPass  = "desk-pass-1"
	doctor    = "drlee"
	syncToken = "sync-token-for-tests"
)

// clock is a store clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// berlin is the clinic's zone.
var berlin = func() *time.Location {
	z, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return z
}()

// workstation is one store with its desk and admin sessions.
type workstation struct {
	t     testing.TB
	db    *store.DB
	clock *clock
	desk  *store.Session
	admin *store.Session
}

// clinic makes n workstations of one organisation (copies of the first
// store, each with its own device), a receptionist "desk", a doctor with
// weekday hours, and a patient who agreed to SMS and e-mail. Their clocks
// start on Wednesday 2 December 2026, 09:00 in Berlin.
func clinic(t testing.TB, n int) ([]*workstation, core.ID) {
	t.Helper()
	dir := t.TempDir()
	first := filepath.Join(dir, "ws1.db")
	start := time.Date(2026, 12, 2, 9, 0, 0, 0, berlin)
	clk := &clock{t: start}
	opts := store.Options{Now: clk.now, KDF: testKDF}
	must(t, store.Create(first, store.InitOptions{Org: "Lakeside Clinic", Zone: "Europe/Berlin", Admin: "admin", Passphrase: adminPass}, opts))
	db, err := store.Open(first, opts)
	must(t, err)
	admin, err := db.Login("admin", adminPass)
	must(t, err)
	must(t, admin.AddUser(core.User{Name: "desk", Role: core.RoleReception}, deskPass))
	must(t, admin.AddUser(core.User{Name: doctor, DisplayName: "Dr Lee", Role: core.RoleDoctor}, deskPass))
	doc, err := db.Login(doctor, deskPass)
	must(t, err)
	sc := core.Schedule{Doctor: doctor, SlotMinutes: 15}
	for d := time.Monday; d <= time.Friday; d++ {
		sc.Hours[d] = []core.Span{{Start: 8 * 60, End: 12 * 60}, {Start: 13 * 60, End: 17 * 60}}
	}
	_, err = doc.SetSchedule(sc)
	must(t, err)
	desk, err := db.Login("desk", deskPass)
	must(t, err)
	p, err := desk.AddPatient(core.Patient{Name: "Ann Example", DOB: "1980-04-01", Phone: "+15551234567", Email: "ann@example.org",
		Consent: core.ConsentFlags{SMS: true, Email: true}})
	must(t, err)
	must(t, db.Close())
	raw, err := os.ReadFile(first)
	must(t, err)
	out := make([]*workstation, n)
	for i := range out {
		path := first
		if i > 0 {
			path = filepath.Join(dir, fmt.Sprintf("ws%d.db", i+1))
			must(t, os.WriteFile(path, raw, 0o600))
		}
		w := &workstation{t: t, clock: &clock{t: start}}
		w.db, err = store.Open(path, store.Options{Now: w.clock.now, KDF: testKDF})
		must(t, err)
		t.Cleanup(func() { w.db.Close() })
		w.admin, err = w.db.Login("admin", adminPass)
		must(t, err)
		if i > 0 {
			must(t, w.admin.NewDeviceIdentity())
		}
		w.desk, err = w.db.Login("desk", deskPass)
		must(t, err)
		out[i] = w
	}
	return out, p.ID
}

// configure makes w the sending device for the mail server at smtpAddr
// and the SMS gateway at smsURL, reminders at 18:00.
func (w *workstation) configure(smtpAddr, smsURL, user string, sec store.NotifySecrets) {
	w.t.Helper()
	_, err := w.desk.SetNotifyConfig(core.NotifyConfig{
		SMTPAddr: smtpAddr, From: "reception@lakeside.example", SMTPUser: user,
		SMSURL: smsURL, SMSAccount: "AC0123456789", SMSFrom: "+15550009999", ReminderHour: 18,
	}, sec)
	must(w.t, err)
}

// book books the patient with the doctor on Thursday 3 December at hh:mm.
func (w *workstation) book(patient core.ID, hh, mm int) core.Appointment {
	w.t.Helper()
	a, err := w.desk.Book(core.Appointment{PatientID: patient, Doctor: doctor, Start: time.Date(2026, 12, 3, hh, mm, 0, 0, berlin), Minutes: 15, Room: "Room 1"})
	must(w.t, err)
	return a
}

// run is one send-due pass that must succeed.
func (w *workstation) run(o Options) Report {
	w.t.Helper()
	rep, err := Run(context.Background(), w.desk, o)
	must(w.t, err)
	return rep
}

// mail is one message the test mail server took.
type mail struct {
	From, To string
	Data     string
	User     string
	TLS      bool
}

// mailServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1:0.
type mailServer struct {
	addr string
	mu   sync.Mutex
	got  []mail
	// fail, while above zero, answers DATA with 451 and counts down.
	fail int
}

// startMail serves SMTP on loopback; with tlsCfg it offers STARTTLS, and
// with a password it requires AUTH PLAIN as user "clinic".
func startMail(t testing.TB, tlsCfg *tls.Config, password string) *mailServer {
	t.Helper()
	ms := &mailServer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &mailSession{ms: ms, conn: c, password: password}, nil
	}))
	srv.Domain, srv.TLSConfig = "mail.test", tlsCfg
	srv.AllowInsecureAuth = tlsCfg == nil
	srv.ErrorLog = log.New(io.Discard, "", 0)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	ms.addr = lis.Addr().String()
	go srv.Serve(lis)
	t.Cleanup(func() { srv.Close() })
	return ms
}

func (ms *mailServer) mails() []mail {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]mail(nil), ms.got...)
}

// mailSession is one SMTP conversation with the test server.
type mailSession struct {
	ms       *mailServer
	conn     *smtp.Conn
	password string
	user     string
	cur      mail
}

func (s *mailSession) AuthMechanisms() []string {
	if s.password == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "clinic" || pass != s.password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication credentials invalid"}
		}
		s.user = user
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.password != "" && s.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	s.cur = mail{From: from}
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.cur.To = to; return nil }

func (s *mailSession) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	s.ms.mu.Lock()
	defer s.ms.mu.Unlock()
	if s.ms.fail > 0 {
		s.ms.fail--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	_, s.cur.TLS = s.conn.TLSConnectionState()
	s.cur.Data, s.cur.User = b.String(), s.user
	s.ms.got = append(s.ms.got, s.cur)
	return nil
}

func (s *mailSession) Reset()        { s.cur = mail{} }
func (s *mailSession) Logout() error { return nil }

// sms is one request the test gateway took.
type sms struct {
	Path, User, Pass string
	Form             url.Values
}

// smsGateway is a local HTTP server answering as Twilio's Messages API.
type smsGateway struct {
	url string
	mu  sync.Mutex
	got []sms
	// fail, while above zero, answers 503 and counts down; each failed
	// request is kept too. refuse answers 400 as to a number that does
	// not exist.
	fail   int
	refuse bool
}

func startSMS(t testing.TB) *smsGateway {
	t.Helper()
	g := &smsGateway{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		r.ParseForm()
		g.mu.Lock()
		defer g.mu.Unlock()
		g.got = append(g.got, sms{Path: r.Method + " " + r.URL.Path, User: user, Pass: pass, Form: r.PostForm})
		w.Header().Set("Content-Type", "application/json")
		if g.refuse {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}`)
			return
		}
		if g.fail > 0 {
			g.fail--
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"code": 20503, "message": "Service unavailable", "status": 503}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"sid": "SM%032d", "status": "queued", "to": %q}`, len(g.got), r.PostForm.Get("To"))
	}))
	t.Cleanup(srv.Close)
	g.url = srv.URL
	return g
}

func (g *smsGateway) requests() []sms {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]sms(nil), g.got...)
}

// selfSigned is a TLS server certificate for 127.0.0.1 and a client
// config that trusts only it.
func selfSigned(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mail.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	cert, err := x509.ParseCertificate(der)
	must(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// syncServer is a real sync server on 127.0.0.1:0; it returns its address.
func syncServer(t testing.TB) string {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "syncd.db"))
	must(t, err)
	srv, err := server.New(server.Config{Backend: st, RegisterToken: syncToken, Logger: slog.New(slog.DiscardHandler)})
	must(t, err)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, lis); close(done) }()
	t.Cleanup(func() { cancel(); <-done; st.Close() })
	return lis.Addr().String()
}

// sync runs one sync of w's store with the server at addr.
func (w *workstation) sync(addr string) {
	w.t.Helper()
	conn, err := client.Dial(addr, client.DialOptions{})
	must(w.t, err)
	defer conn.Close()
	_, err = client.New(conn, w.admin, client.Options{Addr: addr, Token: syncToken, MaxClockAhead: 365 * 24 * time.Hour}).SyncOnce(context.Background())
	must(w.t, err)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
