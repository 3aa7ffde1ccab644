//go:build !linux || !cgo

package store

func tuneCHeap() {}
func trimCHeap() {}
