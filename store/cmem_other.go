//go:build !linux || !cgo

package store

func trimCHeap() {}
