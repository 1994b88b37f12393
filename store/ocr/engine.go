package ocr

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"medisecure/core"
)

// ErrMissing is returned when a tool the engine needs is not installed.
var ErrMissing = core.NewError(core.ClassStore, "ocr: a text-reading tool is not installed")

// ErrFailed is returned when a tool ran but could not read the file, ran
// out of time or of memory.
var ErrFailed = core.NewError(core.ClassStore, "ocr: reading the text failed")

// Engine reads text with pdftotext, pdftoppm and tesseract. The zero value
// reads English with the limits below.
type Engine struct {
	// Langs are tesseract's languages joined by "+"; empty means "eng".
	Langs string
	// Timeout bounds each run of a tool (one page of OCR); zero means two
	// minutes.
	Timeout time.Duration
	// MemoryBytes bounds each tool's address space; zero means 2 GiB.
	MemoryBytes uint64
	// DPI is the resolution scanned PDF pages are rasterised at; zero
	// means 300, what tesseract reads best.
	DPI int
	// MinTextChars is how many letters or digits a PDF page's text layer
	// must hold on average to be taken as text; fewer means a scan, which
	// is rasterised and OCR'd. Zero means 16.
	MinTextChars int
}

func (e Engine) langs() string {
	if e.Langs == "" {
		return "eng"
	}
	return e.Langs
}

func (e Engine) timeout() time.Duration {
	if e.Timeout <= 0 {
		return 2 * time.Minute
	}
	return e.Timeout
}

func (e Engine) memory() uint64 {
	if e.MemoryBytes == 0 {
		return 2 << 30
	}
	return e.MemoryBytes
}

func (e Engine) dpi() int {
	if e.DPI <= 0 {
		return 300
	}
	return e.DPI
}

func (e Engine) minText() int {
	if e.MinTextChars <= 0 {
		return 16
	}
	return e.MinTextChars
}

// tools lists every program the engine runs, for Check.
var tools = []string{"tesseract", "pdftotext", "pdftoppm", "pdfinfo", "prlimit"}

// Check returns nil when every tool is installed, else ErrMissing naming
// the missing ones and the Debian packages that bring them.
func Check() error {
	var missing []string
	for _, t := range tools {
		if _, err := exec.LookPath(t); err != nil {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s missing; install the Debian packages tesseract-ocr and poppler-utils", ErrMissing, strings.Join(missing, ", "))
	}
	return nil
}

// run runs one tool with stdin as its input under the engine's timeout
// and memory limit, with OpenMP held to one thread so a page's OCR does not
// take every core from the people at the desk.
func (e Engine) run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	if _, err := exec.LookPath(name); err != nil {
		return nil, fmt.Errorf("%w: %s is missing; install the Debian packages tesseract-ocr and poppler-utils", ErrMissing, name)
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout())
	defer cancel()
	full := append([]string{"--as=" + strconv.FormatUint(e.memory(), 10), "--", name}, args...)
	cmd := exec.CommandContext(ctx, "prlimit", full...)
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return nil, fmt.Errorf("%w: %s took longer than %s", ErrFailed, name, e.timeout())
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil:
		return nil, fmt.Errorf("%w: %s could not read the file (%s)", ErrFailed, name, firstLine(errOut.String(), err))
	}
	return out.Bytes(), nil
}

// firstLine is the first line a tool wrote to stderr, or its exit status.
func firstLine(stderr string, err error) string {
	for _, l := range strings.Split(stderr, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return core.SafeText(l)
		}
	}
	return err.Error()
}

// ReadText reads the text of a file of one of core's document types,
// reporting progress by page. A PDF gives its text layer when it has one
// (source "pdftotext"); otherwise each page is rasterised and OCR'd
// (source "tesseract"), as is an image.
func (e Engine) ReadText(ctx context.Context, mimeType string, data []byte, progress func(done, total int)) (string, string, error) {
	if progress == nil {
		progress = func(int, int) {}
	}
	switch mimeType {
	case core.MIMEPNG, core.MIMEJPEG, core.MIMETIFF:
		progress(0, 1)
		text, err := e.OCR(ctx, data)
		if err != nil {
			return "", "", err
		}
		progress(1, 1)
		return text, "tesseract", nil
	case core.MIMEPDF:
		return e.readPDF(ctx, data, progress)
	}
	return "", "", fmt.Errorf("%w: %s files have no text to read", ErrFailed, mimeType)
}

// OCR runs tesseract on one image.
func (e Engine) OCR(ctx context.Context, image []byte) (string, error) {
	out, err := e.run(ctx, image, "tesseract", "stdin", "stdout", "-l", e.langs())
	return string(out), err
}

// pagesLine finds the page count in pdfinfo's output.
var pagesLine = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)

// Pages is the number of pages of a PDF.
func (e Engine) Pages(ctx context.Context, pdf []byte) (int, error) {
	info, err := e.run(ctx, pdf, "pdfinfo", "-")
	if err != nil {
		return 0, err
	}
	m := pagesLine.FindSubmatch(info)
	if m == nil {
		return 0, fmt.Errorf("%w: pdfinfo found no pages", ErrFailed)
	}
	n, _ := strconv.Atoi(string(m[1]))
	if n < 1 {
		return 0, fmt.Errorf("%w: the PDF has no pages", ErrFailed)
	}
	return n, nil
}

// readPDF takes a PDF's text layer, or OCRs its pages when it has none.
func (e Engine) readPDF(ctx context.Context, pdf []byte, progress func(done, total int)) (string, string, error) {
	pages, err := e.Pages(ctx, pdf)
	if err != nil {
		return "", "", err
	}
	progress(0, pages)
	layer, err := e.run(ctx, pdf, "pdftotext", "-layout", "-enc", "UTF-8", "-", "-")
	if err != nil {
		return "", "", err
	}
	if letters(layer) >= e.minText()*pages {
		progress(pages, pages)
		return string(layer), "pdftotext", nil
	}
	// The next page is rasterised while this one is OCR'd, so pdftoppm's
	// time hides behind tesseract's on a machine with a second core.
	type raster struct {
		img []byte
		err error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ahead := make(chan raster, 1)
	go func() {
		defer close(ahead)
		for p := 1; p <= pages; p++ {
			img, err := e.Rasterise(ctx, pdf, p)
			select {
			case ahead <- raster{img, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var text strings.Builder
	for p := 1; p <= pages; p++ {
		r, ok := <-ahead
		if !ok {
			return "", "", ctx.Err()
		}
		if r.err != nil {
			return "", "", fmt.Errorf("page %d: %w", p, r.err)
		}
		page, err := e.OCR(ctx, r.img)
		if err != nil {
			return "", "", fmt.Errorf("page %d: %w", p, err)
		}
		if p > 1 {
			text.WriteString("\f")
		}
		text.WriteString(page)
		progress(p, pages)
	}
	return text.String(), "tesseract", nil
}

// Rasterise renders one page of a PDF (counting from 1) as a grey PGM:
// uncompressed, so neither pdftoppm nor tesseract spends time on zlib.
func (e Engine) Rasterise(ctx context.Context, pdf []byte, page int) ([]byte, error) {
	p := strconv.Itoa(page)
	return e.run(ctx, pdf, "pdftoppm", "-r", strconv.Itoa(e.dpi()), "-gray", "-f", p, "-l", p, "-singlefile", "-")
}

// letters counts the letters and digits in text.
func letters(b []byte) int {
	n := 0
	for _, r := range string(b) {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r > 0x7f {
			n++
		}
	}
	return n
}

// ErrNoLanguage is returned when tesseract has no data for a language.
var ErrNoLanguage = core.NewError(core.ClassValidation, "ocr: language not installed")

// CheckLanguages returns nil when tesseract has every language of langs
// ("eng+deu"), else ErrNoLanguage naming the missing ones and their
// Debian packages.
func CheckLanguages(ctx context.Context, langs string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	out, err := Engine{}.run(ctx, nil, "tesseract", "--list-langs")
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	var missing, pkgs []string
	for _, l := range strings.Split(langs, "+") {
		if !have[l] {
			missing = append(missing, l)
			pkgs = append(pkgs, "tesseract-ocr-"+strings.ReplaceAll(l, "_", "-"))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: tesseract has no %s; install the Debian package %s", ErrNoLanguage, strings.Join(missing, ", "), strings.Join(pkgs, ", "))
	}
	return nil
}
