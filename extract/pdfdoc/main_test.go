package pdfdoc

import (
	"os"
	"testing"
)

// TestMain lets the test binary be the repair child (ServeRepair), as the
// nianbao binary is.
func TestMain(m *testing.M) {
	ServeRepair()
	os.Exit(m.Run())
}
