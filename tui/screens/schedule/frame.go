package schedule

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"medisecure/tui/ui"
)

// frame is a box border drawn by hand around lines already cut and padded
// to its inner width. lipgloss measures, wraps and pads every line of a
// box again; a day of thirty doctor columns cannot afford that on every
// frame (P4 in shared/TARGETS.md).
type frame struct {
	top, bottom, left, right string
	blank                    string // an empty inner line
}

// newFrame renders border b in style st (only its colour matters) around
// lines inner cells wide.
func newFrame(st lipgloss.Style, b lipgloss.Border, inner int) frame {
	return frame{
		top:    st.Render(b.TopLeft + strings.Repeat(b.Top, inner) + b.TopRight),
		bottom: st.Render(b.BottomLeft + strings.Repeat(b.Bottom, inner) + b.BottomRight),
		left:   st.Render(b.Left),
		right:  st.Render(b.Right),
		blank:  strings.Repeat(" ", inner),
	}
}

// frames keeps the frames drawn for the widths in use: a day draws the
// same three on every frame.
type frames struct {
	plain, focused map[int]frame
}

// get is the plain or focused frame around lines inner cells wide.
func (fs *frames) get(st *ui.Styles, focused bool, inner int) frame {
	m, style, border := &fs.plain, st.Border, lipgloss.NormalBorder()
	if focused {
		m, style, border = &fs.focused, st.BorderFocused, lipgloss.ThickBorder()
	}
	if f, ok := (*m)[inner]; ok {
		return f
	}
	if *m == nil || len(*m) > 8 { // a few widths at most; resizing drops them
		*m = make(map[int]frame)
	}
	f := newFrame(style, border, inner)
	(*m)[inner] = f
	return f
}

// box is lines in a frame, h lines high with the border: extra lines are
// dropped, missing ones left blank. Each line must be the frame's inner
// width already.
type box struct {
	f     frame
	lines []string
}

// writeLine writes line y of a box h lines high.
func (x box) writeLine(b *strings.Builder, y, h int) {
	switch {
	case y == 0:
		b.WriteString(x.f.top)
	case y == h-1:
		b.WriteString(x.f.bottom)
	default:
		b.WriteString(x.f.left)
		if y-1 < len(x.lines) {
			b.WriteString(x.lines[y-1])
		} else {
			b.WriteString(x.f.blank)
		}
		b.WriteString(x.f.right)
	}
}

// joinedSize is how many bytes joinBoxes writes for boxes h lines high.
func joinedSize(boxes []box, h int) int {
	if h <= 0 {
		return 0
	}
	n := h - 1 // the line breaks
	for _, x := range boxes {
		n += len(x.f.top)
		if h > 1 {
			n += len(x.f.bottom)
		}
		for y := 1; y < h-1; y++ {
			n += len(x.f.left) + len(x.f.right)
			if y-1 < len(x.lines) {
				n += len(x.lines[y-1])
			} else {
				n += len(x.f.blank)
			}
		}
	}
	return n
}

// joinBoxes sets boxes h lines high side by side, h lines written to b.
func joinBoxes(b *strings.Builder, boxes []box, h int) {
	if h <= 0 {
		return
	}
	for y := 0; y < h; y++ {
		if y > 0 {
			b.WriteByte('\n')
		}
		for _, x := range boxes {
			x.writeLine(b, y, h)
		}
	}
}
