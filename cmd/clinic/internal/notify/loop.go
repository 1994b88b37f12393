package notify

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"medisecure/core"
	"medisecure/store"
)

// DefaultInterval is how often the background sender looks for due
// notifications.
const DefaultInterval = time.Minute

// Loop runs send-due in the background of the desk and the clinic host,
// through the first session whose user may send (reception or a
// clinician, or an admin); before that it does nothing. On a workstation
// that is not the sending device every pass ends at once.
type Loop struct {
	ctx      context.Context
	cancel   context.CancelFunc
	interval time.Duration
	opts     Options
	log      *slog.Logger

	mu      sync.Mutex
	started bool
	done    chan struct{}
}

// NewLoop returns a Loop that runs until ctx ends or Close; interval 0 is
// DefaultInterval, a nil log discards.
func NewLoop(ctx context.Context, interval time.Duration, o Options, log *slog.Logger) *Loop {
	if interval <= 0 {
		interval = DefaultInterval
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(ctx)
	return &Loop{ctx: ctx, cancel: cancel, interval: interval, opts: o, log: log}
}

// Start begins the background passes with s, unless they already run or
// s's user may not send.
func (l *Loop) Start(s *store.Session) {
	if !core.Can(s.Principal(), core.ActUpdate, core.KindNotification) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started || l.ctx.Err() != nil {
		return
	}
	l.started, l.done = true, make(chan struct{})
	go func() {
		defer close(l.done)
		t := time.NewTicker(l.interval)
		defer t.Stop()
		for {
			l.pass(s)
			select {
			case <-l.ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// pass runs once and logs what it did or why it could not.
func (l *Loop) pass(s *store.Session) {
	rep, err := Run(l.ctx, s, l.opts)
	switch {
	case errors.Is(err, store.ErrNotSender), errors.Is(err, store.ErrNotConfigured):
	case err != nil:
		l.log.Warn("notify: send-due", "err", err)
	case rep != Report{}:
		l.log.Info("notify: send-due", "queued", rep.Queued, "delivered", rep.Delivered, "retrying", rep.Retrying, "failed", rep.Failed, "cancelled", rep.Cancelled)
	}
}

// Close stops the passes and waits for one in flight.
func (l *Loop) Close() {
	l.cancel()
	l.mu.Lock()
	done := l.done
	l.mu.Unlock()
	if done != nil {
		<-done
	}
}
