package pdfdoc

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/nianbao/nianbao"
)

// The repair runs in a child process. pdfcpu decodes whole streams into
// growing buffers and has neither a context nor a size limit: a 1 MB file
// whose stream inflates to 1 GiB took 4 GB in the reader's own process,
// and a goroutine abandoned at a timeout kept running. A child is the one
// bound that holds for any code path inside the library: its address
// space is capped with RLIMIT_AS (the runtime fails its allocation and
// the child dies, the parent's memory untouched), its CPU with
// RLIMIT_CPU, and the document's deadline kills it. The child is this
// same executable started again with repairEnv set; ServeRepair, called
// first in main (and in TestMain of the packages whose tests repair),
// answers it. A process that never called ServeRepair cannot be re-run as
// a child, so it repairs in-process after checking what the file's
// streams inflate to (repairInProcess).
const (
	repairEnv    = "NIANBAO_PDF_REPAIR" // "optimize" or "decrypt"
	repairMemEnv = "NIANBAO_PDF_REPAIR_MEMORY"
	repairCPUEnv = "NIANBAO_PDF_REPAIR_CPU"
)

// canFork says that this executable answers a repair request (ServeRepair
// was called), so repair may start it as a child.
var canFork atomic.Bool

// ServeRepair makes the executable able to repair PDFs in a child
// process. Call it first thing in main: in a process started as a repair
// child it reads a PDF on stdin, writes the repaired copy to stdout and
// exits; in any other process it returns at once.
func ServeRepair() {
	mode := os.Getenv(repairEnv)
	if mode == "" {
		canFork.Store(true)
		return
	}
	os.Exit(repairChild(mode))
}

// repairChild is the child's whole life; it returns the exit status.
func repairChild(mode string) int {
	mem, _ := strconv.ParseInt(os.Getenv(repairMemEnv), 10, 64)
	cpu, _ := strconv.ParseUint(os.Getenv(repairCPUEnv), 10, 64)
	if mem > 0 {
		// The runtime and the C library reserve address space that is
		// never touched (arenas, thread stacks): the cap is what the
		// process has mapped now plus the budget, and the collector is
		// told to stay well inside it.
		base := vmSize()
		lim := uint64(base + mem + 256<<20)
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim}); err != nil {
			fmt.Fprintln(os.Stderr, "setrlimit:", err)
			return 3
		}
		debug.SetMemoryLimit(mem / 2)
	}
	if cpu > 0 {
		_ = syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: cpu, Max: cpu + 1})
	}
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "read:", err)
		return 1
	}
	out, err := pdfcpuRepair(data, mode == "decrypt")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := os.Stdout.Write(out); err != nil {
		return 1
	}
	return 0
}

// vmSize is the address space the process has mapped, in bytes (0 when
// /proc cannot tell).
func vmSize() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmSize:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// pdfcpuRepair rewrites a damaged PDF (or decrypts one whose user
// password is empty) with pdfcpu, turning its panics into errors.
func pdfcpuRepair(data []byte, encrypted bool) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("pdfcpu failed: %v", p)
		}
	}()
	pdfcpuOnce.Do(api.DisableConfigDir)
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	var buf bytes.Buffer
	if encrypted {
		err = api.Decrypt(bytes.NewReader(data), &buf, conf)
	} else {
		err = api.Optimize(bytes.NewReader(data), &buf, conf)
	}
	return buf.Bytes(), err
}

// repairTimeout bounds one repair within the document's own time.
const repairTimeout = 30 * time.Second

// repair rewrites a damaged or encrypted PDF within the document's budget.
func repair(ctx context.Context, data []byte, encrypted bool) ([]byte, error) {
	b := nianbao.BudgetOf(ctx)
	ctx, cancel := context.WithTimeout(ctx, repairTimeout)
	defer cancel()
	// The streams that inflate past the budget are found first, at the
	// cost of inflating them to the limit: the usual bomb is refused
	// before a process is started, with the limit it went over.
	if err := checkInflation(data, b); err != nil {
		return nil, err
	}
	if canFork.Load() {
		return repairInChild(ctx, data, encrypted, b)
	}
	return repairInProcess(ctx, data, encrypted, b)
}

// repairInChild runs pdfcpu in a child process capped at b.RepairMemory.
func repairInChild(ctx context.Context, data []byte, encrypted bool, b nianbao.Budget) ([]byte, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("pdfcpu: %w", err)
	}
	mode := "optimize"
	if encrypted {
		mode = "decrypt"
	}
	cpu := int64(repairTimeout/time.Second) + 1
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), repairEnv+"="+mode,
		repairMemEnv+"="+strconv.FormatInt(b.RepairMemory, 10),
		repairCPUEnv+"="+strconv.FormatInt(cpu, 10),
		// No profile of the parent's command is written over by the child.
		"NIANBAO_CPUPROFILE=")
	cmd.Stdin = bytes.NewReader(data)
	var out, stderr bytes.Buffer
	// The repaired copy is about the size of the original: streams stay
	// compressed.
	outLimit := min(b.DocBytes, 4*int64(len(data))+1<<20)
	cmd.Stdout = &limitedBuffer{buf: &out, limit: int(outLimit)}
	cmd.Stderr = &limitedBuffer{buf: &stderr, limit: 64 << 10}
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	if err == nil {
		return out.Bytes(), nil
	}
	if le := (*nianbao.LimitError)(nil); errors.As(context.Cause(ctx), &le) {
		return nil, le
	}
	if ctx.Err() != nil {
		return nil, errors.New("pdfcpu timed out")
	}
	msg := strings.TrimSpace(stderr.String())
	switch {
	case strings.Contains(msg, "out of memory") || strings.Contains(msg, "cannot allocate memory"):
		return nil, &nianbao.LimitError{Limit: "repair", Max: b.RepairMemory}
	case out.Len() >= int(outLimit):
		return nil, &nianbao.LimitError{Limit: "decoded", Max: outLimit}
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && msg != "" {
		return nil, errors.New(firstLine(msg))
	}
	if errors.As(err, &ee) && !ee.Exited() {
		// Killed: RLIMIT_CPU sends SIGXCPU, RLIMIT_AS may end in SIGSEGV
		// inside the C library.
		return nil, &nianbao.LimitError{Limit: "repair", Max: b.RepairMemory}
	}
	return nil, fmt.Errorf("pdfcpu: %v: %s", err, firstLine(msg))
}

// repairInProcess is the repair of a process that cannot start itself as
// a child (a program that did not call ServeRepair): repair has checked
// that none of the file's Flate streams inflates past the budget, which
// is how the memory bombs are made; what pdfcpu decodes beyond that is
// not bounded here.
func repairInProcess(ctx context.Context, data []byte, encrypted bool, b nianbao.Budget) ([]byte, error) {
	type result struct {
		out []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		out, err := pdfcpuRepair(data, encrypted)
		ch <- result{out, err}
	}()
	select {
	case r := <-ch:
		return r.out, r.err
	case <-ctx.Done():
		if le := (*nianbao.LimitError)(nil); errors.As(context.Cause(ctx), &le) {
			return nil, le
		}
		return nil, errors.New("pdfcpu timed out")
	}
}

// checkInflation inflates every stream of data that starts like zlib data
// (FlateDecode, what the bombs use), counting and dropping the bytes: a
// stream past b.StreamBytes, or all of them past b.DocBytes, is a
// LimitError. It costs one pass of inflation, stopped at the limit.
func checkInflation(data []byte, b nianbao.Budget) error {
	total := int64(0)
	for i := 0; ; {
		k := bytes.Index(data[i:], []byte("stream"))
		if k < 0 {
			return nil
		}
		p := i + k + len("stream")
		i = p
		if p < len(data) && data[p] == '\r' {
			p++
		}
		if p >= len(data) || data[p] != '\n' {
			continue
		}
		p++
		zr, err := zlib.NewReader(bytes.NewReader(data[p:]))
		if err != nil {
			continue
		}
		n, _ := io.Copy(io.Discard, io.LimitReader(zr, b.StreamBytes+1))
		zr.Close()
		total += n
		if n > b.StreamBytes {
			return &nianbao.LimitError{Limit: "stream", Max: b.StreamBytes}
		}
		if total > b.DocBytes {
			return &nianbao.LimitError{Limit: "decoded", Max: b.DocBytes}
		}
	}
}
