package dueprocess

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestPermissionTableMatchesDocs parses the table of docs/roles.md and
// checks that it says exactly what the grants in permission.go say: the
// same permissions, each held by the same roles, and by officials in the
// same rows.
func TestPermissionTableMatchesDocs(t *testing.T) {
	text, err := os.ReadFile("docs/roles.md")
	if err != nil {
		t.Fatal(err)
	}
	split := func(line string) []string {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		return cells
	}
	var header []string
	documented := map[Permission]bool{}
	for _, line := range strings.Split(string(text), "\n") {
		if !strings.HasPrefix(line, "|") {
			header = nil
			continue
		}
		cells := split(line)
		switch {
		case header == nil && cells[0] == "Permission":
			header = cells
			for _, r := range Roles {
				if !slices.Contains(header, string(r)) {
					t.Errorf("docs/roles.md: the table has no column for the role %s", r)
				}
			}
			if !slices.Contains(header, "official") {
				t.Errorf("docs/roles.md: the table has no column for officials")
			}
			continue
		case header == nil || strings.HasPrefix(cells[0], "---"):
			continue
		}
		if len(cells) != len(header) {
			t.Errorf("docs/roles.md: row %q has %d cells, the header %d", line, len(cells), len(header))
			continue
		}
		p := Permission(strings.Trim(cells[0], "`"))
		if p == "" {
			continue // a row about what needs no permission
		}
		if !p.Known() {
			t.Errorf("docs/roles.md names %q, which permission.go does not grant", p)
			continue
		}
		if documented[p] {
			t.Errorf("docs/roles.md has two rows for %s", p)
		}
		documented[p] = true
		var roles []Role
		officials := false
		for i, cell := range cells[2:] {
			column := header[i+2]
			switch {
			case column == "official" && cell == "own agency":
				officials = true
			case column != "official" && cell == "✓":
				roles = append(roles, Role(column))
			case cell == "", column != "official" && cell == "assigned":
				// Not held; "assigned" is the case-bound rule, which is
				// code beside the check (internal/web/visibility.go).
			default:
				t.Errorf("docs/roles.md: %s, column %s: %q is not one of ✓, assigned, own agency or empty", p, column, cell)
			}
		}
		want := p.Roles()
		slices.Sort(roles)
		slices.Sort(want)
		if !slices.Equal(roles, want) {
			t.Errorf("%s: docs/roles.md gives it to %v, permission.go to %v", p, roles, want)
		}
		if officials != p.Officials() {
			t.Errorf("%s: docs/roles.md says officials hold it: %v; permission.go: %v", p, officials, p.Officials())
		}
	}
	for _, p := range Permissions() {
		if !documented[p] {
			t.Errorf("%s is granted in permission.go but has no row in docs/roles.md", p)
		}
	}
}

func TestMay(t *testing.T) {
	reviewer := &Staff{Roles: []Role{RoleReviewer}}
	official := &Principal{Official: &Official{ID: "of_1"}, Agency: &Agency{ID: "ag_1"}}
	for _, tc := range []struct {
		name string
		may  bool
		want bool
	}{
		{"a reviewer reviews", reviewer.May(PermRequestReview), true},
		{"a reviewer does not approve", reviewer.May(PermRequestApprove), false},
		{"a reviewer as a principal", (&Principal{Staff: reviewer}).May(PermRequestAssign), true},
		{"a disabled admin", (&Staff{Roles: []Role{RoleAdmin}, Disabled: true}).May(PermStaffManage), false},
		{"no staff member", (*Staff)(nil).May(PermRequestRead), false},
		{"an official submits", official.May(PermRequestSubmit), true},
		{"an official does not list the queue", official.May(PermRequestList), false},
		{"an official without an agency", (&Principal{Official: &Official{ID: "of_1"}}).May(PermRequestSubmit), false},
		{"staff do not submit", (&Principal{Staff: &Staff{Roles: Roles}}).May(PermRequestSubmit), false},
		{"an unknown permission", (&Staff{Roles: Roles}).May("request.everything"), false},
		{"nobody", (&Principal{}).May(PermRequestRead), false},
	} {
		if tc.may != tc.want {
			t.Errorf("%s: May says %v, want %v", tc.name, tc.may, tc.want)
		}
	}
	for p, want := range map[Permission]string{
		PermRequestAssign: "only staff with the reviewer or admin role may assign a request",
		PermRequestList:   "only staff may list requests",
		PermDocumentAdd:   "only officials of the requesting agency and staff with the intake or admin role may attach a document",
		PermRequestSubmit: "only officials of the requesting agency may submit a request",
	} {
		err := p.Refused()
		if ErrorKind(err) != Forbidden || !strings.Contains(err.Message, want) {
			t.Errorf("%s refused: %v (%s), want Forbidden saying %q", p, err, ErrorKind(err), want)
		}
	}
}

// roleFiles are the files outside permission.go that may name a role,
// by its constant or its name: actor.go defines them, and the demo gives
// its staff their roles and keeps their tokens by role ("admin") and its
// platform database in a folder named "platform". None of them checks a
// role.
var roleFiles = map[string]bool{
	"actor.go":                       true,
	"permission.go":                  true,
	"cmd/dueprocess/demo.go":         true,
	"cmd/dueprocess/demoaccounts.go": true,
	"cmd/dueprocess/demoflow.go":     true,
}

// TestNoRoleChecksOutsidePermissions walks every Go file of the module
// but tests and finds role checks outside permission.go: a call of
// HasRole, a role constant, or a role's name as a string compared with
// == or != or passed to a function. Every check asks May instead, so that
// which role may do what stays in one table.
func TestNoRoleChecksOutsidePermissions(t *testing.T) {
	names := map[string]bool{}
	for _, r := range Roles {
		names[string(r)] = true
	}
	fset := token.NewFileSet()
	// The role constants' identifiers, from actor.go itself.
	constants := map[string]bool{}
	actor, err := parser.ParseFile(fset, "actor.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(actor, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok {
			if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "Role" {
				for _, name := range vs.Names {
					constants[name.Name] = true
				}
			}
		}
		return true
	})
	if len(constants) != len(Roles) {
		t.Fatalf("found %d role constants in actor.go, want %d", len(constants), len(Roles))
	}
	checked := 0
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		path = filepath.ToSlash(path)
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		checked++
		if path == "permission.go" {
			return nil
		}
		report := func(n ast.Node, what string) {
			t.Errorf("%s: %s; ask May(permission) and grant it in permission.go", fset.Position(n.Pos()), what)
		}
		isRoleName := func(e ast.Expr) bool {
			lit, ok := e.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return false
			}
			s, err := strconv.Unquote(lit.Value)
			return err == nil && names[s]
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				switch {
				case n.Sel.Name == "HasRole" && path != "actor.go":
					report(n, "a role check with HasRole")
				case constants[n.Sel.Name] && !roleFiles[path]:
					report(n, "the role constant "+n.Sel.Name)
				}
			case *ast.Ident:
				// Inside the root package the constants need no
				// package name.
				if constants[n.Name] && !strings.Contains(path, "/") && !roleFiles[path] {
					report(n, "the role constant "+n.Name)
				}
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) && (isRoleName(n.X) || isRoleName(n.Y)) {
					report(n, "a comparison with a role's name")
				}
			case *ast.CallExpr:
				for _, arg := range n.Args {
					if isRoleName(arg) && !roleFiles[path] {
						report(arg, "a role's name passed to a call")
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Errorf("checked only %d Go files; is the walk starting at the module's root?", checked)
	}
}
