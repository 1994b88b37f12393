package schedules

import (
	"strings"
	"testing"
	"time"

	"medisecure/core"
)

func TestParseSpans(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
	}{
		{"", ""},
		{"08:00-12:00", "08:00-12:00"},
		{"8:00-12:00, 13:00 - 17:30", "08:00-12:00, 13:00-17:30"},
		{"08:00-12:00;13:00-17:00", "08:00-12:00, 13:00-17:00"},
	} {
		spans, err := parseSpans(time.Monday, tt.in)
		if err != nil || spansText(spans) != tt.want {
			t.Errorf("parseSpans(%q) = %v, %v; want %q", tt.in, spans, err, tt.want)
		}
	}
	for _, bad := range []string{"nine to five", "12:00-08:00", "08:00", "25:00-26:00"} {
		if _, err := parseSpans(time.Monday, bad); err == nil || !strings.HasPrefix(err.Error(), "Monday:") {
			t.Errorf("parseSpans(%q) = %v, want an error naming Monday", bad, err)
		}
	}
	if got := spansText([]core.Span{{Start: 8 * 60, End: 12*60 + 30}}); got != "08:00-12:30" {
		t.Errorf("spansText = %q", got)
	}
}
