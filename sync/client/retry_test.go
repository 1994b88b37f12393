package client

import (
	"context"
	"errors"
	"testing"
	"time"
)

// testClient is a client with no connection, for the retry logic.
func testClient(jitter float64, b Backoff, slept *[]time.Duration) *Client {
	c := &Client{opts: Options{
		Backoff: b,
		Jitter:  func() float64 { return jitter },
		Sleep: func(ctx context.Context, d time.Duration) error {
			*slept = append(*slept, d)
			return ctx.Err()
		},
	}}
	return c
}

func TestDelayDoublesUpToTheLimitWithJitter(t *testing.T) {
	var slept []time.Duration
	c := testClient(0, Backoff{Initial: 100 * time.Millisecond, Max: time.Second}, &slept)
	want := []time.Duration{50, 100, 200, 400, 500, 500}
	for i, w := range want {
		if got := c.delay(i+1, time.Second); got != w*time.Millisecond {
			t.Errorf("delay %d with no jitter: %v, want %v", i+1, got, w*time.Millisecond)
		}
	}
	c.opts.Jitter = func() float64 { return 0.999 }
	if got := c.delay(4, time.Second); got < 799*time.Millisecond || got > 800*time.Millisecond {
		t.Errorf("delay 4 with the most jitter: %v", got)
	}
}

func TestRetry(t *testing.T) {
	link := &rpcError{kind: ErrUnreachable}
	refused := &rpcError{kind: ErrRefused}
	tests := []struct {
		name   string
		errs   []error // what each try returns; nil ends
		steps  []bool  // whether each try made progress
		tries  int
		sleeps int
		want   error
	}{
		{"succeeds at once", []error{nil}, nil, 1, 0, nil},
		{"refused is final", []error{refused}, nil, 1, 0, ErrRefused},
		{"link fails then recovers", []error{link, link, nil}, nil, 3, 2, nil},
		{"gives up after the attempts", []error{link, link, link, link}, nil, 3, 2, ErrUnreachable},
		{"progress resets the count", []error{link, link, link, nil}, []bool{false, true}, 4, 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var slept []time.Duration
			c := testClient(0.5, Backoff{Initial: time.Millisecond, Max: time.Second, Attempts: 3}, &slept)
			tries := 0
			err := c.retry(context.Background(), func(progress func()) error {
				i := tries
				tries++
				if i < len(tt.steps) && tt.steps[i] {
					progress()
				}
				return tt.errs[i]
			})
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if tries != tt.tries || len(slept) != tt.sleeps {
				t.Fatalf("%d tries and %d sleeps, want %d and %d", tries, len(slept), tt.tries, tt.sleeps)
			}
		})
	}
}

// A cancelled context ends the retries at once.
func TestRetryStopsWhenCancelled(t *testing.T) {
	var slept []time.Duration
	c := testClient(0, Backoff{Initial: time.Millisecond, Max: time.Second, Attempts: 10}, &slept)
	ctx, cancel := context.WithCancel(context.Background())
	tries := 0
	err := c.retry(ctx, func(func()) error {
		tries++
		cancel()
		return &rpcError{kind: ErrUnreachable}
	})
	if tries != 1 || err == nil {
		t.Fatalf("%d tries, %v", tries, err)
	}
}

func TestDialChoosesTransport(t *testing.T) {
	tests := []struct {
		addr string
		o    DialOptions
		tls  bool
		fail bool
	}{
		{"127.0.0.1:7443", DialOptions{}, false, false},
		{"localhost:7443", DialOptions{}, false, false},
		{"[::1]:7443", DialOptions{}, false, false},
		{"sync.example.org:7443", DialOptions{}, true, false},
		{"10.0.0.5:7443", DialOptions{Insecure: true}, false, false},
		{"127.0.0.1:7443", DialOptions{CAFile: "/nonexistent/ca.pem"}, true, true},
	}
	for _, tt := range tests {
		creds, err := tt.o.credentials(tt.addr)
		if (err != nil) != tt.fail {
			t.Errorf("%s %+v: error %v", tt.addr, tt.o, err)
			continue
		}
		if err == nil && (creds.Info().SecurityProtocol == "tls") != tt.tls {
			t.Errorf("%s %+v: %s, want TLS %v", tt.addr, tt.o, creds.Info().SecurityProtocol, tt.tls)
		}
	}
	if _, err := Dial("no-port", DialOptions{}); err == nil {
		t.Error("Dial accepted an address without a port")
	}
}

func TestLinkCause(t *testing.T) {
	tests := []struct{ in, want string }{
		{`connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:1: connect: connection refused"`, "connection refused"},
		{`name resolver error: produced zero addresses`, "produced zero addresses"},
		{``, "the connection failed"},
	}
	for _, tt := range tests {
		if got := linkCause(tt.in); got != tt.want {
			t.Errorf("linkCause(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
