package deskapp

import (
	"context"
	"sync"
	"time"

	"google.golang.org/grpc"

	"medisecure/store"
	"medisecure/sync/client"
)

// DefaultSyncInterval is how often the workstation syncs in the
// background.
const DefaultSyncInterval = 30 * time.Second

// Syncer syncs the store in the background while the terminal UI runs:
// with the server the store remembers from its last `clinic sync`, through
// the session of the first user who logs in (sync needs the keys a login
// unlocks). Before any login, or when the store has never synced, it does
// nothing and the status bar says offline.
type Syncer struct {
	ctx      context.Context
	cancel   context.CancelFunc
	dial     client.DialOptions
	interval time.Duration
	// Now is the clock that stamps sync requests; nil means time.Now.
	// Set it before the first login.
	Now func() time.Time

	once sync.Once
	mu   sync.Mutex
	c    *client.Client
	conn *grpc.ClientConn
	done chan struct{}
}

// NewSyncer returns a Syncer that runs until ctx ends or Close; interval 0
// means DefaultSyncInterval.
func NewSyncer(ctx context.Context, dial client.DialOptions, interval time.Duration) *Syncer {
	if interval <= 0 {
		interval = DefaultSyncInterval
	}
	ctx, cancel := context.WithCancel(ctx)
	return &Syncer{ctx: ctx, cancel: cancel, dial: dial, interval: interval}
}

// start begins background sync with s, the first time only.
func (y *Syncer) start(s *store.Session) {
	y.once.Do(func() {
		st, err := s.SyncState()
		if err != nil || st.Server == "" {
			return
		}
		conn, err := client.Dial(st.Server, y.dial)
		if err != nil {
			return
		}
		var c *client.Client
		// Document files follow each round of the records, in the
		// background; a failed round is tried again at the next.
		c = client.New(conn, s, client.Options{Addr: st.Server, Now: y.Now, OnSync: func(_ client.Report, err error) {
			if err == nil {
				c.SyncDocuments(y.ctx, conn)
			}
		}})
		done := make(chan struct{})
		y.mu.Lock()
		y.c, y.conn, y.done = c, conn, done
		y.mu.Unlock()
		go func() {
			defer close(done)
			c.Watch(y.ctx, y.interval)
		}()
	})
}

// Status is the background client's view of the link; offline when no
// sync runs.
func (y *Syncer) Status() client.Status {
	y.mu.Lock()
	c := y.c
	y.mu.Unlock()
	if c == nil {
		return client.Status{}
	}
	return c.Status()
}

// Close stops background sync, waits for a sync in flight to finish, and
// closes the connection.
func (y *Syncer) Close() error {
	y.once.Do(func() {}) // no sync starts after Close
	y.cancel()
	y.mu.Lock()
	conn, done := y.conn, y.done
	y.mu.Unlock()
	if done != nil {
		<-done
	}
	if conn != nil {
		return conn.Close()
	}
	return nil
}
