package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"medisecure/sync/server"
)

// tokenEnv is the environment variable that may hold the registration
// token, and dsnEnv the one that may hold the PostgreSQL connection
// string (which may carry a password).
const (
	tokenEnv = "SYNCD_REGISTER_TOKEN"
	dsnEnv   = "SYNCD_DSN"
)

// The backends --backend names.
const (
	backendBolt     = "bolt"
	backendPostgres = "postgres"
)

// dataFile is the server's bbolt file inside the data directory.
const dataFile = "syncd.db"

// config is a parsed command line.
type config struct {
	listen   string
	backend  string
	data     string
	dsn      string
	token    string
	certFile string
	keyFile  string
	insecure bool
}

// run serves until ctx ends. It returns nil after a clean stop, a
// usageError for a bad command line, a storageError when the data cannot
// be opened.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = storageError{errors.New("internal error; the data file was left as it was")}
		}
	}()
	if len(args) > 0 && args[0] == "check" {
		return check(ctx, args[1:], stdout)
	}
	cfg, err := parse(args, stdout)
	if err != nil || cfg == nil {
		return err
	}
	creds, err := cfg.transport()
	if err != nil {
		return err
	}
	store, err := cfg.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()

	log := slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := server.New(server.Config{Backend: store, RegisterToken: cfg.token, Logger: log})
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return usagef("cannot listen on %s: %v", cfg.listen, errors.Unwrap(err))
	}
	mode := "TLS"
	if creds == nil {
		mode = "plaintext"
	}
	fmt.Fprintf(stdout, "syncd: listening on %s (%s), data in %s\n", lis.Addr(), mode, store.where)
	if cfg.token == "" {
		log.Info("no registration token: organisations cannot register on this server")
	}
	var opts []grpc.ServerOption
	if creds != nil {
		opts = append(opts, grpc.Creds(creds))
	}
	if err := srv.Serve(ctx, lis, opts...); err != nil {
		return fmt.Errorf("serving on %s: %v", cfg.listen, err)
	}
	fmt.Fprintln(stdout, "syncd: stopped")
	return nil
}

// parse reads the command line. It returns a nil config after printing
// help.
func parse(args []string, stdout io.Writer) (*config, error) {
	fs := flag.NewFlagSet("syncd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := &config{}
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:7443", "`address` to listen on (host:port)")
	fs.StringVar(&cfg.backend, "backend", backendBolt, "where the data lives: `bolt` (one file in --data) or postgres (the database --dsn names)")
	fs.StringVar(&cfg.data, "data", "", "`directory` for the server's data file (created if missing), with --backend bolt")
	fs.StringVar(&cfg.dsn, "dsn", "", "PostgreSQL connection `string` (postgres://USER@HOST:PORT/DATABASE), with --backend postgres (default $"+dsnEnv+")")
	fs.StringVar(&cfg.token, "register-token", "", "`token` a workstation must present to register an organisation (default $"+tokenEnv+")")
	fs.StringVar(&cfg.certFile, "tls-cert", "", "TLS certificate `file` (PEM)")
	fs.StringVar(&cfg.keyFile, "tls-key", "", "TLS private key `file` (PEM)")
	fs.BoolVar(&cfg.insecure, "insecure", false, "allow plaintext on an address other than loopback")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "usage: syncd --listen ADDR --data DIR [--register-token T] [--tls-cert FILE --tls-key FILE] [--insecure]")
			fmt.Fprintln(stdout, "       syncd --listen ADDR --backend postgres --dsn postgres://USER@HOST:PORT/DATABASE [the same options]")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return nil, nil
		}
		return nil, usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q; see syncd --help", fs.Arg(0))
	}
	if cfg.token == "" {
		cfg.token = os.Getenv(tokenEnv)
	}
	if err := cfg.checkBackend(); err != nil {
		return nil, err
	}
	if _, _, err := net.SplitHostPort(cfg.listen); err != nil {
		return nil, usagef("--listen %q is not host:port, like 127.0.0.1:7443 or :7443", cfg.listen)
	}
	if (cfg.certFile == "") != (cfg.keyFile == "") {
		return nil, usagef("--tls-cert and --tls-key go together: give both or neither")
	}
	return cfg, nil
}

// transport returns the TLS credentials, or nil for plaintext, which is
// allowed only on loopback or with --insecure.
func (c *config) transport() (credentials.TransportCredentials, error) {
	if c.certFile == "" {
		if !loopback(c.listen) && !c.insecure {
			return nil, usagef("%s is not a loopback address, so TLS is required: give --tls-cert and --tls-key (or --insecure to accept plaintext)", c.listen)
		}
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return nil, usagef("cannot load the TLS certificate %s and key %s: %v", c.certFile, c.keyFile, err)
	}
	return credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), nil
}

// loopback reports whether addr's host is a loopback address; an empty
// host or a name other than localhost listens more widely.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
