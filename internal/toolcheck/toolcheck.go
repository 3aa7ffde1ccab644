// Package toolcheck lets a test that needs an external program (pdftotext,
// pdftoppm, tesseract) skip where it is missing — a developer's machine —
// but fail where it must be there: with NIANBAO_REQUIRE_TOOLS=1 (set by
// .ci/run), a missing tool is a test failure, so coverage cannot drop
// silently with every test still "ok".
package toolcheck

import (
	"os"
	"os/exec"
	"testing"
)

// RequireEnv is the variable that turns a missing tool into a failure.
const RequireEnv = "NIANBAO_REQUIRE_TOOLS"

// Required says whether missing tools fail the tests.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Skip ends the test as skipped for the reason why (a tool missing), or as
// failed when tools are required.
func Skip(t testing.TB, why string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s (%s=1: the tests need it)", why, RequireEnv)
		return
	}
	t.Skip(why)
}

// Note records that a test goes on with less coverage for the reason why
// (a tool missing), or fails it when tools are required.
func Note(t testing.TB, why string) {
	t.Helper()
	if Required() {
		t.Errorf("%s (%s=1: the tests need it)", why, RequireEnv)
		return
	}
	t.Log(why)
}

// Require skips the test (or fails it, see Skip) unless every program is
// on the PATH.
func Require(t testing.TB, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			Skip(t, p+" not installed")
			return
		}
	}
}
