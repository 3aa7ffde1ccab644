package main

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxDimension is the used range of a sheet, A1:<last column><rows>.
func xlsxDimension(cols, rows int) (string, error) {
	last, err := excelize.CoordinatesToCellName(max(cols, 1), max(rows, 1))
	if err != nil {
		return "", err
	}
	return "A1:" + last, nil
}

// writeXLSXDimensions writes the workbook f to w with the <dimension ref>
// of each sheet set to dims[sheet name]. excelize's stream writer writes a
// sheet's dimension before its rows, when their number is not known, and
// leaves it A1: openpyxl's read-only mode (and what else trusts it) then
// sees a sheet of one cell. The workbook is written to a temporary file
// beside out first, and copied entry by entry, the sheets' XML with the
// dimension put right and every other entry as it is compressed.
func writeXLSXDimensions(f *excelize.File, dims map[string]string, out string, w io.Writer) error {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".nianbao-xlsx-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := f.Write(tmp); err != nil {
		return err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(tmp, size)
	if err != nil {
		return err
	}
	sheets, err := xlsxSheetPaths(zr)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	fixed := 0
	for _, file := range zr.File {
		ref, isSheet := dims[sheets[file.Name]]
		if !isSheet {
			if err := copyZipEntry(zw, file); err != nil {
				return err
			}
			continue
		}
		if err := copySheetWithDimension(zw, file, ref); err != nil {
			return fmt.Errorf("sheet %s: %w", sheets[file.Name], err)
		}
		fixed++
	}
	if fixed != len(dims) {
		return fmt.Errorf("%d sheets written, %d found in the workbook", len(dims), fixed)
	}
	return zw.Close()
}

// xlsxSheetPaths maps the sheets' XML entries to their names, from the
// workbook and its relationships.
func xlsxSheetPaths(zr *zip.Reader) (map[string]string, error) {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := readZipXML(zr, "xl/workbook.xml", &wb); err != nil {
		return nil, err
	}
	if err := readZipXML(zr, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return nil, err
	}
	target := map[string]string{}
	for _, r := range rels.Rels {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = t[1:]
		} else {
			t = path.Join("xl", t)
		}
		target[r.ID] = t
	}
	out := map[string]string{}
	for _, s := range wb.Sheets {
		if t, ok := target[s.RID]; ok {
			out[t] = s.Name
		}
	}
	return out, nil
}

func readZipXML(zr *zip.Reader, name string, v any) error {
	rc, err := zr.Open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// copyZipEntry copies an entry as it is, without decompressing it.
func copyZipEntry(zw *zip.Writer, file *zip.File) error {
	r, err := file.OpenRaw()
	if err != nil {
		return err
	}
	hdr := file.FileHeader
	dst, err := zw.CreateRaw(&hdr)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, r)
	return err
}

// copySheetWithDimension copies a sheet's XML with the ref of its
// <dimension> element, found in the first bytes (it precedes the rows),
// replaced.
func copySheetWithDimension(zw *zip.Writer, file *zip.File, ref string) error {
	rc, err := file.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(rc, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	head = head[:n]
	const open = `<dimension ref="`
	i := bytes.Index(head, []byte(open))
	if i < 0 {
		return errors.New("no <dimension> element before the rows")
	}
	j := bytes.IndexByte(head[i+len(open):], '"')
	if j < 0 {
		return errors.New("a <dimension> element cut short")
	}
	hdr := &zip.FileHeader{Name: file.Name, Method: zip.Deflate, Modified: file.Modified}
	dst, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	for _, part := range [][]byte{head[:i+len(open)], []byte(ref), head[i+len(open)+j:]} {
		if _, err := dst.Write(part); err != nil {
			return err
		}
	}
	_, err = io.Copy(dst, rc)
	return err
}
