// Package pgtest gives tests a fresh PostgreSQL database (test support).
//
// The server is one the caller started — scripts/pg.sh, which .ci/run uses —
// named by NIANBAO_TEST_POSTGRES (a postgres:// address of a role that may
// create databases). Each call of DB creates a database of its own, dropped
// when the test ends, so tests run in parallel and packages in parallel.
// Without the variable a test skips, saying how to run it; with
// NIANBAO_REQUIRE_POSTGRES=1 (also set by .ci/run) it fails instead, so the
// PostgreSQL tests cannot drop out of CI silently.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

const (
	// Env names the server: a postgres:// address.
	Env = "NIANBAO_TEST_POSTGRES"
	// RequireEnv turns a missing server into a failure.
	RequireEnv = "NIANBAO_REQUIRE_POSTGRES"
)

// Available says whether a server is given.
func Available() bool { return os.Getenv(Env) != "" }

// Require skips the test (or fails it under NIANBAO_REQUIRE_POSTGRES=1)
// when no server is given, and returns the server's address otherwise.
func Require(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(Env)
	if dsn == "" {
		why := "no PostgreSQL server: start one with `eval \"$(scripts/pg.sh start /tmp/nianbao-pg)\"` (sets " + Env + ")"
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s; %s=1: the tests need it", why, RequireEnv)
		}
		t.Skip(why)
	}
	return dsn
}

// DB creates an empty database for this test and returns its address; the
// database is dropped (its connections ended) when the test and its
// subtests are done.
func DB(t testing.TB) string {
	t.Helper()
	base := Require(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("pgtest: connect %s: %v", base, err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "nianbao_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Logf("pgtest: drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("pgtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(t, base, name)
}

// withDatabase returns the address base with its database replaced.
func withDatabase(t testing.TB, base, name string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("pgtest: %s: %v", Env, err)
	}
	u.Path = "/" + name
	return u.String()
}
