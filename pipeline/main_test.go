package pipeline

import (
	"os"
	"testing"

	"github.com/nianbao/nianbao/extract/pdfdoc"
)

// TestMain lets the test binary be the PDF repair child, as the nianbao
// binary is (pdfdoc.ServeRepair).
func TestMain(m *testing.M) {
	pdfdoc.ServeRepair()
	os.Exit(m.Run())
}
