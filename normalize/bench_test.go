package normalize

import "testing"

func BenchmarkLoadGB2312(b *testing.B) {
	for b.Loop() {
		loadGB2312()
	}
}

func BenchmarkLabel(b *testing.B) {
	for b.Loop() {
		Label("（三）不予公开 1、属于国家秘密")
	}
}

func BenchmarkNumber(b *testing.B) {
	for b.Loop() {
		Number("1,808,595")
	}
}
