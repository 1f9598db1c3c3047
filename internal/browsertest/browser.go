// Package browsertest drives headless Chromium for the console's end-to-end tests: a real
// browser, as the clerks use, through the DevTools protocol (chromedp). Tests skip without a
// Chromium on the machine and fail instead under CI=true, where .ci/run installs it.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Viewport of the screens the console is made for: a 1280×800 desktop and a narrow phone.
const (
	DesktopWidth, DesktopHeight = 1280, 800
	NarrowWidth, NarrowHeight   = 390, 844
)

// chromiumPaths are where Debian and other distributions put the browser.
var chromiumPaths = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Find returns the path of a Chromium binary, or "" when there is none.
func Find() string {
	if p := os.Getenv("DATASHARE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range chromiumPaths {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts a headless Chromium with a fresh profile and returns a browser context for
// chromedp.Run; it is closed when the test ends. The flags keep it off the network: this
// machine's closed network refuses Chromium's background connections, so they are disabled.
func New(t testing.TB, width, height int) context.Context {
	t.Helper()
	bin := Find()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and no Chromium: install it (apt-get install chromium fonts-noto-cjk; .ci/run does)")
		}
		t.Skip("SKIPPED: no Chromium on this machine (apt-get install chromium fonts-noto-cjk)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.WindowSize(width, height),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	// Start the browser now, without a timeout (it would end the browser), so a broken
	// installation fails here with its error.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start Chromium %s: %v", bin, err)
	}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	return ctx
}

// stepTimeout bounds one step of a test in the browser.
const stepTimeout = 60 * time.Second

// Do runs actions in the browser in order, failing t with the step's name.
func Do(t testing.TB, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// Get runs one action that reads something (a title, a text) and returns it.
func Get[T any](t testing.TB, ctx context.Context, step string, action chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	return v
}

// Screenshot saves the full page as a PNG at path (directories created); chromedp writes
// PNG at quality 100 only, JPEG below.
func Screenshot(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	png := Get(t, ctx, "screenshot "+path, chromedp.FullScreenshot(100))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
