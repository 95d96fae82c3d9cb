package minimall_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestWritesOnlyRunSQL keeps the house rule of sqldb's package doc: a
// write's function runs SQL only. Values are sealed and opened before it,
// because it holds SQLite's single writer and the guard's audit entries
// may wait for that same writer. The test reads the code: no guard call
// (Seal…, Open…, Retain, Check, PermitDisclosure) in a function passed to
// Write or WriteBehind, or in a function that takes a *sqldb.Tx.
func TestWritesOnlyRunSQL(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || path == filepath.Join("privacy", "internal")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, body := range writeBodies(f) {
			ast.Inspect(body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if sel, ok := call.Fun.(*ast.SelectorExpr); ok && guardCall(sel.Sel.Name) {
						t.Errorf("%s: %s inside a write; seal and open before it", fset.Position(call.Pos()), sel.Sel.Name)
					}
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// writeBodies returns the functions of f that run inside a write.
func writeBodies(f *ast.File) []*ast.BlockStmt {
	var out []*ast.BlockStmt
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Write" || sel.Sel.Name == "WriteBehind") {
				for _, a := range x.Args {
					if fl, ok := a.(*ast.FuncLit); ok {
						out = append(out, fl.Body)
					}
				}
			}
		case *ast.FuncDecl:
			if x.Body != nil && takesTx(x.Type) {
				out = append(out, x.Body)
			}
		}
		return true
	})
	return out
}

func takesTx(ft *ast.FuncType) bool {
	for _, p := range ft.Params.List {
		if star, ok := p.Type.(*ast.StarExpr); ok {
			if sel, ok := star.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "Tx" {
				return true
			}
		}
	}
	return false
}

func guardCall(name string) bool {
	return strings.HasPrefix(name, "Seal") || strings.HasPrefix(name, "Open") ||
		name == "Retain" || name == "Check" || name == "PermitDisclosure"
}
