package core

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// DeliveryStep is one fact about an attempt to deliver a notification.
type DeliveryStep string

// The delivery steps: an attempt starts (written before the gateway is
// called), then ends delivered, failed for good, or failed for now with a
// retry planned.
const (
	DeliveryStarted   DeliveryStep = "started"
	DeliveryDelivered DeliveryStep = "delivered"
	DeliveryFailed    DeliveryStep = "failed"
	DeliveryRetry     DeliveryStep = "retry"
)

// Delivery records one step of one attempt to deliver a notification:
// append-only, so the history of every attempt and its result stays as it
// happened. Its ID is DeliveryID(notification, attempt, step).
type Delivery struct {
	Meta
	NotificationID ID           `json:"notification_id"`
	Attempt        int          `json:"attempt"`
	Step           DeliveryStep `json:"step"`
	Device         string       `json:"device"`
	At             time.Time    `json:"at"`
	// Detail is the gateway's answer: its message ID when delivered, what
	// went wrong otherwise.
	Detail string `json:"detail"`
}

func init() { register(KindDelivery, func() Entity { return &Delivery{} }) }

// Kind is KindDelivery.
func (*Delivery) Kind() Kind { return KindDelivery }

// Validate checks every field and lists all that are wrong.
func (d *Delivery) Validate() error {
	c := &checker{kind: KindDelivery}
	c.refID("notification", d.NotificationID, "a notification")
	if d.Attempt < 1 || d.Attempt > maxAttempts {
		c.add("attempt", fmt.Sprintf("must be between 1 and %d", maxAttempts))
	}
	switch d.Step {
	case DeliveryStarted, DeliveryDelivered, DeliveryFailed, DeliveryRetry:
	default:
		c.add("step", "must be one of started, delivered, failed, retry")
	}
	c.require("device", d.Device)
	if d.At.IsZero() {
		c.add("at", "is required")
	}
	c.maxLen("detail", d.Detail, 500)
	c.freeText(d)
	return c.err()
}

// DeliveryID is the one ID of a step of an attempt.
func DeliveryID(notification ID, attempt int, step DeliveryStep) ID {
	sum := sha256.Sum256([]byte("delivery\x00" + string(notification) + "\x00" + strconv.Itoa(attempt) + "\x00" + string(step)))
	return ID(hex.EncodeToString(sum[:12]))
}
