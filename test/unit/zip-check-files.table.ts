// Frozen answers of golang.org/x/mod/zip v0.43.0 CheckFiles (and CheckedFiles.Err) for these
// inputs, produced by a throwaway Go program (/tmp, not in the repository) that fed each case's
// files to zip.CheckFiles as fake zip.File values (Lstat mode: regular, symlink, named pipe for
// "other"; the root go.mod carried a `go <goVersion>` line, since x/mod reads the vendor rules'
// version from it). Regenerate the same way if x/mod's rules change.
import type { FileKind } from "../../src/proxy/zip/file.js";

export interface CheckFilesCase {
  name: string;
  goVersion: string | null;
  files: { path: string; kind: FileKind; size: number }[];
  expected: {
    valid: string[];
    omitted: { path: string; reason: string }[];
    invalid: { path: string; reason: string }[];
    sizeError?: string;
    err?: string;
  };
}

export const CHECK_FILES_CASES: CheckFilesCase[] = [
  {
    name: "basic",
    goVersion: "1.21",
    files: [
      {
        path: "go.mod",
        kind: "file",
        size: 30,
      },
      {
        path: "a.go",
        kind: "file",
        size: 10,
      },
      {
        path: "sub/b.go",
        kind: "file",
        size: 10,
      },
    ],
    expected: {
      valid: ["go.mod", "a.go", "sub/b.go"],
      omitted: [],
      invalid: [],
    },
  },
  {
    name: "vendor rules, go 1.21",
    goVersion: "1.21",
    files: [
      {
        path: "go.mod",
        kind: "file",
        size: 30,
      },
      {
        path: "vendor/modules.txt",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "x/vendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "a/b/vendor/c.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendorx/a.go",
        kind: "file",
        size: 1,
      },
      {
        path: "xvendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/modules.txt.bak",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["go.mod", "vendor/modules.txt", "vendor/x.go", "vendor.go", "vendorx/a.go", "xvendor/a/b.go", "vendor/modules.txt.bak"],
      omitted: [
        {
          path: "vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "pkg/vendor/vendor.go",
          reason: "file is in vendor directory",
        },
        {
          path: "pkg/vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "x/vendor/a/b.go",
          reason: "file is in vendor directory",
        },
        {
          path: "a/b/vendor/c.go",
          reason: "file is in vendor directory",
        },
      ],
      invalid: [],
    },
  },
  {
    name: "vendor rules, go 1.23.9",
    goVersion: "1.23.9",
    files: [
      {
        path: "go.mod",
        kind: "file",
        size: 32,
      },
      {
        path: "vendor/modules.txt",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "x/vendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "a/b/vendor/c.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendorx/a.go",
        kind: "file",
        size: 1,
      },
      {
        path: "xvendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/modules.txt.bak",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["go.mod", "vendor/modules.txt", "vendor/x.go", "vendor.go", "vendorx/a.go", "xvendor/a/b.go", "vendor/modules.txt.bak"],
      omitted: [
        {
          path: "vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "pkg/vendor/vendor.go",
          reason: "file is in vendor directory",
        },
        {
          path: "pkg/vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "x/vendor/a/b.go",
          reason: "file is in vendor directory",
        },
        {
          path: "a/b/vendor/c.go",
          reason: "file is in vendor directory",
        },
      ],
      invalid: [],
    },
  },
  {
    name: "vendor rules, go 1.24",
    goVersion: "1.24",
    files: [
      {
        path: "go.mod",
        kind: "file",
        size: 30,
      },
      {
        path: "vendor/modules.txt",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "x/vendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "a/b/vendor/c.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendorx/a.go",
        kind: "file",
        size: 1,
      },
      {
        path: "xvendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/modules.txt.bak",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["go.mod", "vendor/x.go", "pkg/vendor/vendor.go", "a/b/vendor/c.go", "vendor.go", "vendorx/a.go", "xvendor/a/b.go", "vendor/modules.txt.bak"],
      omitted: [
        {
          path: "vendor/modules.txt",
          reason: "file is in vendor directory",
        },
        {
          path: "vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "pkg/vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "x/vendor/a/b.go",
          reason: "file is in vendor directory",
        },
      ],
      invalid: [],
    },
  },
  {
    name: "vendor rules, go 1.24.0",
    goVersion: "1.24.0",
    files: [
      {
        path: "go.mod",
        kind: "file",
        size: 32,
      },
      {
        path: "vendor/modules.txt",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "x/vendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "a/b/vendor/c.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendorx/a.go",
        kind: "file",
        size: 1,
      },
      {
        path: "xvendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/modules.txt.bak",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["go.mod", "vendor/x.go", "pkg/vendor/vendor.go", "a/b/vendor/c.go", "vendor.go", "vendorx/a.go", "xvendor/a/b.go", "vendor/modules.txt.bak"],
      omitted: [
        {
          path: "vendor/modules.txt",
          reason: "file is in vendor directory",
        },
        {
          path: "vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "pkg/vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "x/vendor/a/b.go",
          reason: "file is in vendor directory",
        },
      ],
      invalid: [],
    },
  },
  {
    name: "vendor rules, go 1.24rc1",
    goVersion: "1.24rc1",
    files: [
      {
        path: "go.mod",
        kind: "file",
        size: 33,
      },
      {
        path: "vendor/modules.txt",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "x/vendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "a/b/vendor/c.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendorx/a.go",
        kind: "file",
        size: 1,
      },
      {
        path: "xvendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/modules.txt.bak",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["go.mod", "vendor/x.go", "pkg/vendor/vendor.go", "a/b/vendor/c.go", "vendor.go", "vendorx/a.go", "xvendor/a/b.go", "vendor/modules.txt.bak"],
      omitted: [
        {
          path: "vendor/modules.txt",
          reason: "file is in vendor directory",
        },
        {
          path: "vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "pkg/vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "x/vendor/a/b.go",
          reason: "file is in vendor directory",
        },
      ],
      invalid: [],
    },
  },
  {
    name: "vendor rules, go 1.25.3",
    goVersion: "1.25.3",
    files: [
      {
        path: "go.mod",
        kind: "file",
        size: 32,
      },
      {
        path: "vendor/modules.txt",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "x/vendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "a/b/vendor/c.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendorx/a.go",
        kind: "file",
        size: 1,
      },
      {
        path: "xvendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/modules.txt.bak",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["go.mod", "vendor/x.go", "pkg/vendor/vendor.go", "a/b/vendor/c.go", "vendor.go", "vendorx/a.go", "xvendor/a/b.go", "vendor/modules.txt.bak"],
      omitted: [
        {
          path: "vendor/modules.txt",
          reason: "file is in vendor directory",
        },
        {
          path: "vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "pkg/vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "x/vendor/a/b.go",
          reason: "file is in vendor directory",
        },
      ],
      invalid: [],
    },
  },
  {
    name: "vendor rules, go 2.0",
    goVersion: "2.0",
    files: [
      {
        path: "go.mod",
        kind: "file",
        size: 29,
      },
      {
        path: "vendor/modules.txt",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "x/vendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "a/b/vendor/c.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendorx/a.go",
        kind: "file",
        size: 1,
      },
      {
        path: "xvendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/modules.txt.bak",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["go.mod", "vendor/x.go", "pkg/vendor/vendor.go", "a/b/vendor/c.go", "vendor.go", "vendorx/a.go", "xvendor/a/b.go", "vendor/modules.txt.bak"],
      omitted: [
        {
          path: "vendor/modules.txt",
          reason: "file is in vendor directory",
        },
        {
          path: "vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "pkg/vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "x/vendor/a/b.go",
          reason: "file is in vendor directory",
        },
      ],
      invalid: [],
    },
  },
  {
    name: "vendor rules, no go line",
    goVersion: null,
    files: [
      {
        path: "go.mod",
        kind: "file",
        size: 21,
      },
      {
        path: "vendor/modules.txt",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "x/vendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "a/b/vendor/c.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendorx/a.go",
        kind: "file",
        size: 1,
      },
      {
        path: "xvendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/modules.txt.bak",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["go.mod", "vendor/modules.txt", "vendor/x.go", "vendor.go", "vendorx/a.go", "xvendor/a/b.go", "vendor/modules.txt.bak"],
      omitted: [
        {
          path: "vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "pkg/vendor/vendor.go",
          reason: "file is in vendor directory",
        },
        {
          path: "pkg/vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "x/vendor/a/b.go",
          reason: "file is in vendor directory",
        },
        {
          path: "a/b/vendor/c.go",
          reason: "file is in vendor directory",
        },
      ],
      invalid: [],
    },
  },
  {
    name: "vendor rules, no go.mod",
    goVersion: null,
    files: [
      {
        path: "vendor/modules.txt",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "pkg/vendor/foo/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "x/vendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "a/b/vendor/c.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendorx/a.go",
        kind: "file",
        size: 1,
      },
      {
        path: "xvendor/a/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/modules.txt.bak",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["vendor/modules.txt", "vendor/x.go", "vendor.go", "vendorx/a.go", "xvendor/a/b.go", "vendor/modules.txt.bak"],
      omitted: [
        {
          path: "vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "pkg/vendor/vendor.go",
          reason: "file is in vendor directory",
        },
        {
          path: "pkg/vendor/foo/x.go",
          reason: "file is in vendor directory",
        },
        {
          path: "x/vendor/a/b.go",
          reason: "file is in vendor directory",
        },
        {
          path: "a/b/vendor/c.go",
          reason: "file is in vendor directory",
        },
      ],
      invalid: [],
    },
  },
  {
    name: "nested modules",
    goVersion: "1.22",
    files: [
      {
        path: "go.mod",
        kind: "file",
        size: 30,
      },
      {
        path: "sub/go.mod",
        kind: "file",
        size: 5,
      },
      {
        path: "sub/a.go",
        kind: "file",
        size: 1,
      },
      {
        path: "sub/deep/b.go",
        kind: "file",
        size: 1,
      },
      {
        path: "other/GO.MOD",
        kind: "file",
        size: 3,
      },
      {
        path: "other/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "link/go.mod",
        kind: "symlink",
        size: 3,
      },
      {
        path: "link/y.go",
        kind: "file",
        size: 1,
      },
      {
        path: "subx/a.go",
        kind: "file",
        size: 1,
      },
      {
        path: "sub2/go.mod/a.go",
        kind: "file",
        size: 1,
      },
      {
        path: "a/b/c/Go.Mod",
        kind: "file",
        size: 1,
      },
      {
        path: "a/b/c/d/e.go",
        kind: "file",
        size: 1,
      },
      {
        path: "a/b/f.go",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["go.mod", "link/y.go", "subx/a.go", "sub2/go.mod/a.go", "a/b/f.go"],
      omitted: [
        {
          path: "sub/go.mod",
          reason: "file is in another module",
        },
        {
          path: "sub/a.go",
          reason: "file is in another module",
        },
        {
          path: "sub/deep/b.go",
          reason: "file is in another module",
        },
        {
          path: "other/GO.MOD",
          reason: "file is in another module",
        },
        {
          path: "other/x.go",
          reason: "file is in another module",
        },
        {
          path: "link/go.mod",
          reason: "file is a symbolic link",
        },
        {
          path: "a/b/c/Go.Mod",
          reason: "file is in another module",
        },
        {
          path: "a/b/c/d/e.go",
          reason: "file is in another module",
        },
      ],
      invalid: [],
    },
  },
  {
    name: "root go.mod spelled otherwise",
    goVersion: null,
    files: [
      {
        path: "GO.MOD",
        kind: "file",
        size: 3,
      },
      {
        path: "a.go",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["a.go"],
      omitted: [],
      invalid: [
        {
          path: "GO.MOD",
          reason: "go.mod files must have lowercase names",
        },
      ],
      err: "GO.MOD: go.mod files must have lowercase names",
    },
  },
  {
    name: "hg archival",
    goVersion: null,
    files: [
      {
        path: ".hg_archival.txt",
        kind: "file",
        size: 3,
      },
      {
        path: "sub/.hg_archival.txt",
        kind: "file",
        size: 3,
      },
      {
        path: ".HG_ARCHIVAL.TXT",
        kind: "file",
        size: 3,
      },
    ],
    expected: {
      valid: ["sub/.hg_archival.txt", ".HG_ARCHIVAL.TXT"],
      omitted: [
        {
          path: ".hg_archival.txt",
          reason: "file is inserted by 'hg archive' and is always omitted",
        },
      ],
      invalid: [],
    },
  },
  {
    name: "file names",
    goVersion: null,
    files: [
      {
        path: "a/../b",
        kind: "file",
        size: 1,
      },
      {
        path: "/abs",
        kind: "file",
        size: 1,
      },
      {
        path: "./a",
        kind: "file",
        size: 1,
      },
      {
        path: "a//b",
        kind: "file",
        size: 1,
      },
      {
        path: "a/",
        kind: "file",
        size: 1,
      },
      {
        path: "",
        kind: "file",
        size: 1,
      },
      {
        path: ".",
        kind: "file",
        size: 1,
      },
      {
        path: "..",
        kind: "file",
        size: 1,
      },
      {
        path: "a/.",
        kind: "file",
        size: 1,
      },
      {
        path: "con.txt",
        kind: "file",
        size: 1,
      },
      {
        path: "aux/x.go",
        kind: "file",
        size: 1,
      },
      {
        path: "Nul",
        kind: "file",
        size: 1,
      },
      {
        path: "COM1.go",
        kind: "file",
        size: 1,
      },
      {
        path: "com10.txt",
        kind: "file",
        size: 1,
      },
      {
        path: "lpt1.go.txt",
        kind: "file",
        size: 1,
      },
      {
        path: "LPT9",
        kind: "file",
        size: 1,
      },
      {
        path: "a:b",
        kind: "file",
        size: 1,
      },
      {
        path: "a*b",
        kind: "file",
        size: 1,
      },
      {
        path: "a?b",
        kind: "file",
        size: 1,
      },
      {
        path: 'a"b',
        kind: "file",
        size: 1,
      },
      {
        path: "a'b",
        kind: "file",
        size: 1,
      },
      {
        path: "a<b",
        kind: "file",
        size: 1,
      },
      {
        path: "a>b",
        kind: "file",
        size: 1,
      },
      {
        path: "a|b",
        kind: "file",
        size: 1,
      },
      {
        path: "a`b",
        kind: "file",
        size: 1,
      },
      {
        path: "back\\slash",
        kind: "file",
        size: 1,
      },
      {
        path: "a\tb",
        kind: "file",
        size: 1,
      },
      {
        path: "ab",
        kind: "file",
        size: 1,
      },
      {
        path: "trailing.",
        kind: "file",
        size: 1,
      },
      {
        path: "dir./x",
        kind: "file",
        size: 1,
      },
      {
        path: ".hidden",
        kind: "file",
        size: 1,
      },
      {
        path: "...x",
        kind: "file",
        size: 1,
      },
      {
        path: "x...",
        kind: "file",
        size: 1,
      },
      {
        path: "-dash",
        kind: "file",
        size: 1,
      },
      {
        path: "sp ace.go",
        kind: "file",
        size: 1,
      },
      {
        path: "ok!#$%&()+,-.=@[]^_{}~.go",
        kind: "file",
        size: 1,
      },
      {
        path: "é.go",
        kind: "file",
        size: 1,
      },
      {
        path: "é.go",
        kind: "file",
        size: 1,
      },
      {
        path: "😀.go",
        kind: "file",
        size: 1,
      },
      {
        path: "日本語.go",
        kind: "file",
        size: 1,
      },
      {
        path: "ǅ.go",
        kind: "file",
        size: 1,
      },
      {
        path: "٣.go",
        kind: "file",
        size: 1,
      },
      {
        path: "Ⅻ.go",
        kind: "file",
        size: 1,
      },
      {
        path: "a~1.go",
        kind: "file",
        size: 1,
      },
      {
        path: "x/.git/config",
        kind: "file",
        size: 1,
      },
      {
        path: ".svn/entries",
        kind: "file",
        size: 1,
      },
      {
        path: "vendor/CON/x",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: [
        "com10.txt",
        ".hidden",
        "...x",
        "-dash",
        "sp ace.go",
        "ok!#$%&()+,-.=@[]^_{}~.go",
        "é.go",
        "日本語.go",
        "ǅ.go",
        "a~1.go",
        "x/.git/config",
        ".svn/entries",
      ],
      omitted: [
        {
          path: "vendor/CON/x",
          reason: "file is in vendor directory",
        },
      ],
      invalid: [
        {
          path: "a/../b",
          reason: "file path is not clean",
        },
        {
          path: "/abs",
          reason: "file path is not relative",
        },
        {
          path: "./a",
          reason: "file path is not clean",
        },
        {
          path: "a//b",
          reason: "file path is not clean",
        },
        {
          path: "a/",
          reason: "file path is not clean",
        },
        {
          path: "",
          reason: "file path is not clean",
        },
        {
          path: ".",
          reason: 'malformed file path ".": invalid path element "."',
        },
        {
          path: "..",
          reason: 'malformed file path "..": invalid path element ".."',
        },
        {
          path: "a/.",
          reason: "file path is not clean",
        },
        {
          path: "con.txt",
          reason: 'malformed file path "con.txt": "con" disallowed as path element component on Windows',
        },
        {
          path: "aux/x.go",
          reason: 'malformed file path "aux/x.go": "aux" disallowed as path element component on Windows',
        },
        {
          path: "Nul",
          reason: 'malformed file path "Nul": "Nul" disallowed as path element component on Windows',
        },
        {
          path: "COM1.go",
          reason: 'malformed file path "COM1.go": "COM1" disallowed as path element component on Windows',
        },
        {
          path: "lpt1.go.txt",
          reason: 'malformed file path "lpt1.go.txt": "lpt1" disallowed as path element component on Windows',
        },
        {
          path: "LPT9",
          reason: 'malformed file path "LPT9": "LPT9" disallowed as path element component on Windows',
        },
        {
          path: "a:b",
          reason: "malformed file path \"a:b\": invalid char ':'",
        },
        {
          path: "a*b",
          reason: "malformed file path \"a*b\": invalid char '*'",
        },
        {
          path: "a?b",
          reason: "malformed file path \"a?b\": invalid char '?'",
        },
        {
          path: 'a"b',
          reason: 'malformed file path "a\\"b": invalid char \'"\'',
        },
        {
          path: "a'b",
          reason: "malformed file path \"a'b\": invalid char '\\''",
        },
        {
          path: "a<b",
          reason: "malformed file path \"a<b\": invalid char '<'",
        },
        {
          path: "a>b",
          reason: "malformed file path \"a>b\": invalid char '>'",
        },
        {
          path: "a|b",
          reason: "malformed file path \"a|b\": invalid char '|'",
        },
        {
          path: "a`b",
          reason: "malformed file path \"a`b\": invalid char '`'",
        },
        {
          path: "back\\slash",
          reason: "malformed file path \"back\\\\slash\": invalid char '\\\\'",
        },
        {
          path: "a\tb",
          reason: "malformed file path \"a\\tb\": invalid char '\\t'",
        },
        {
          path: "ab",
          reason: "malformed file path \"a\\x7fb\": invalid char '\\x7f'",
        },
        {
          path: "trailing.",
          reason: 'malformed file path "trailing.": trailing dot in path element',
        },
        {
          path: "dir./x",
          reason: 'malformed file path "dir./x": trailing dot in path element',
        },
        {
          path: "x...",
          reason: 'malformed file path "x...": trailing dot in path element',
        },
        {
          path: "é.go",
          reason: "malformed file path \"é.go\": invalid char '́'",
        },
        {
          path: "😀.go",
          reason: "malformed file path \"😀.go\": invalid char '😀'",
        },
        {
          path: "٣.go",
          reason: "malformed file path \"٣.go\": invalid char '٣'",
        },
        {
          path: "Ⅻ.go",
          reason: "malformed file path \"Ⅻ.go\": invalid char 'Ⅻ'",
        },
      ],
      err: 'a/../b: file path is not clean\n/abs: file path is not relative\n./a: file path is not clean\na//b: file path is not clean\na/: file path is not clean\n: file path is not clean\n.: malformed file path ".": invalid path element "."\n..: malformed file path "..": invalid path element ".."\na/.: file path is not clean\ncon.txt: malformed file path "con.txt": "con" disallowed as path element component on Windows\naux/x.go: malformed file path "aux/x.go": "aux" disallowed as path element component on Windows\nNul: malformed file path "Nul": "Nul" disallowed as path element component on Windows\nCOM1.go: malformed file path "COM1.go": "COM1" disallowed as path element component on Windows\nlpt1.go.txt: malformed file path "lpt1.go.txt": "lpt1" disallowed as path element component on Windows\nLPT9: malformed file path "LPT9": "LPT9" disallowed as path element component on Windows\na:b: malformed file path "a:b": invalid char \':\'\na*b: malformed file path "a*b": invalid char \'*\'\na?b: malformed file path "a?b": invalid char \'?\'\na"b: malformed file path "a\\"b": invalid char \'"\'\na\'b: malformed file path "a\'b": invalid char \'\\\'\'\na<b: malformed file path "a<b": invalid char \'<\'\na>b: malformed file path "a>b": invalid char \'>\'\na|b: malformed file path "a|b": invalid char \'|\'\na`b: malformed file path "a`b": invalid char \'`\'\nback\\slash: malformed file path "back\\\\slash": invalid char \'\\\\\'\na\tb: malformed file path "a\\tb": invalid char \'\\t\'\nab: malformed file path "a\\x7fb": invalid char \'\\x7f\'\ntrailing.: malformed file path "trailing.": trailing dot in path element\ndir./x: malformed file path "dir./x": trailing dot in path element\nx...: malformed file path "x...": trailing dot in path element\né.go: malformed file path "é.go": invalid char \'́\'\n😀.go: malformed file path "😀.go": invalid char \'😀\'\n٣.go: malformed file path "٣.go": invalid char \'٣\'\nⅫ.go: malformed file path "Ⅻ.go": invalid char \'Ⅻ\'',
    },
  },
  {
    name: "collisions",
    goVersion: null,
    files: [
      {
        path: "README",
        kind: "file",
        size: 1,
      },
      {
        path: "readme",
        kind: "file",
        size: 1,
      },
      {
        path: "a",
        kind: "file",
        size: 1,
      },
      {
        path: "a/b",
        kind: "file",
        size: 1,
      },
      {
        path: "A/x",
        kind: "file",
        size: 1,
      },
      {
        path: "Q/x",
        kind: "file",
        size: 1,
      },
      {
        path: "q/y",
        kind: "file",
        size: 1,
      },
      {
        path: "dup.go",
        kind: "file",
        size: 1,
      },
      {
        path: "dup.go",
        kind: "file",
        size: 2,
      },
      {
        path: "link",
        kind: "symlink",
        size: 1,
      },
      {
        path: "Link",
        kind: "file",
        size: 1,
      },
      {
        path: "Kelvin",
        kind: "file",
        size: 1,
      },
      {
        path: "kelvin",
        kind: "file",
        size: 1,
      },
      {
        path: "straße",
        kind: "file",
        size: 1,
      },
      {
        path: "straẞe",
        kind: "file",
        size: 1,
      },
      {
        path: "σ.go",
        kind: "file",
        size: 1,
      },
      {
        path: "ς.go",
        kind: "file",
        size: 1,
      },
      {
        path: "Σ.go",
        kind: "file",
        size: 1,
      },
      {
        path: "ǆ",
        kind: "file",
        size: 1,
      },
      {
        path: "ǅ",
        kind: "file",
        size: 1,
      },
      {
        path: "İ",
        kind: "file",
        size: 1,
      },
      {
        path: "i̇",
        kind: "file",
        size: 1,
      },
      {
        path: "d/e",
        kind: "file",
        size: 1,
      },
      {
        path: "D",
        kind: "symlink",
        size: 1,
      },
      {
        path: "ſ",
        kind: "file",
        size: 1,
      },
      {
        path: "s",
        kind: "file",
        size: 1,
      },
      {
        path: "ﬀ",
        kind: "file",
        size: 1,
      },
      {
        path: "FF",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["README", "a", "Q/x", "dup.go", "Kelvin", "straße", "σ.go", "ǆ", "İ", "d/e", "ſ", "ﬀ", "FF"],
      omitted: [
        {
          path: "link",
          reason: "file is a symbolic link",
        },
      ],
      invalid: [
        {
          path: "readme",
          reason: 'case-insensitive file name collision: "README" and "readme"',
        },
        {
          path: "a/b",
          reason: 'entry "a" is both a file and a directory',
        },
        {
          path: "A/x",
          reason: 'case-insensitive file name collision: "a" and "A"',
        },
        {
          path: "q/y",
          reason: 'case-insensitive file name collision: "Q" and "q"',
        },
        {
          path: "dup.go",
          reason: 'multiple entries for file "dup.go"',
        },
        {
          path: "Link",
          reason: 'case-insensitive file name collision: "link" and "Link"',
        },
        {
          path: "kelvin",
          reason: 'case-insensitive file name collision: "Kelvin" and "kelvin"',
        },
        {
          path: "straẞe",
          reason: 'case-insensitive file name collision: "straße" and "straẞe"',
        },
        {
          path: "ς.go",
          reason: 'case-insensitive file name collision: "σ.go" and "ς.go"',
        },
        {
          path: "Σ.go",
          reason: 'case-insensitive file name collision: "σ.go" and "Σ.go"',
        },
        {
          path: "ǅ",
          reason: 'case-insensitive file name collision: "ǆ" and "ǅ"',
        },
        {
          path: "i̇",
          reason: "malformed file path \"i̇\": invalid char '̇'",
        },
        {
          path: "D",
          reason: 'case-insensitive file name collision: "d" and "D"',
        },
        {
          path: "s",
          reason: 'case-insensitive file name collision: "ſ" and "s"',
        },
      ],
      err: 'readme: case-insensitive file name collision: "README" and "readme"\na/b: entry "a" is both a file and a directory\nA/x: case-insensitive file name collision: "a" and "A"\nq/y: case-insensitive file name collision: "Q" and "q"\ndup.go: multiple entries for file "dup.go"\nLink: case-insensitive file name collision: "link" and "Link"\nkelvin: case-insensitive file name collision: "Kelvin" and "kelvin"\nstraẞe: case-insensitive file name collision: "straße" and "straẞe"\nς.go: case-insensitive file name collision: "σ.go" and "ς.go"\nΣ.go: case-insensitive file name collision: "σ.go" and "Σ.go"\nǅ: case-insensitive file name collision: "ǆ" and "ǅ"\ni̇: malformed file path "i̇": invalid char \'̇\'\nD: case-insensitive file name collision: "d" and "D"\ns: case-insensitive file name collision: "ſ" and "s"',
    },
  },
  {
    name: "symlinks and others",
    goVersion: null,
    files: [
      {
        path: "a.go",
        kind: "symlink",
        size: 1,
      },
      {
        path: "b",
        kind: "other",
        size: 1,
      },
      {
        path: "c.go",
        kind: "file",
        size: 1,
      },
      {
        path: "con",
        kind: "symlink",
        size: 1,
      },
      {
        path: "vendor/x/y",
        kind: "symlink",
        size: 1,
      },
      {
        path: "n/go.mod",
        kind: "file",
        size: 1,
      },
      {
        path: "n/l",
        kind: "symlink",
        size: 1,
      },
    ],
    expected: {
      valid: ["c.go"],
      omitted: [
        {
          path: "a.go",
          reason: "file is a symbolic link",
        },
        {
          path: "b",
          reason: "not a regular file",
        },
        {
          path: "vendor/x/y",
          reason: "file is in vendor directory",
        },
        {
          path: "n/go.mod",
          reason: "file is in another module",
        },
        {
          path: "n/l",
          reason: "file is in another module",
        },
      ],
      invalid: [
        {
          path: "con",
          reason: 'malformed file path "con": "con" disallowed as path element component on Windows',
        },
      ],
      err: 'con: malformed file path "con": "con" disallowed as path element component on Windows',
    },
  },
  {
    name: "go.mod and LICENSE limits",
    goVersion: null,
    files: [
      {
        path: "go.mod",
        kind: "file",
        size: 16777217,
      },
      {
        path: "LICENSE",
        kind: "file",
        size: 16777217,
      },
      {
        path: "sub/LICENSE",
        kind: "file",
        size: 16777217,
      },
      {
        path: "License",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["sub/LICENSE"],
      omitted: [],
      invalid: [
        {
          path: "go.mod",
          reason: "go.mod file too large (max size is 16777216 bytes)",
        },
        {
          path: "LICENSE",
          reason: "LICENSE file too large (max size is 16777216 bytes)",
        },
        {
          path: "License",
          reason: 'case-insensitive file name collision: "LICENSE" and "License"',
        },
      ],
      err: 'go.mod: go.mod file too large (max size is 16777216 bytes)\nLICENSE: LICENSE file too large (max size is 16777216 bytes)\nLicense: case-insensitive file name collision: "LICENSE" and "License"',
    },
  },
  {
    name: "go.mod and LICENSE at the limit",
    goVersion: null,
    files: [
      {
        path: "go.mod",
        kind: "file",
        size: 16777216,
      },
      {
        path: "LICENSE",
        kind: "file",
        size: 16777216,
      },
    ],
    expected: {
      valid: ["go.mod", "LICENSE"],
      omitted: [],
      invalid: [],
    },
  },
  {
    name: "total size over 500 MiB",
    goVersion: null,
    files: [
      {
        path: "a",
        kind: "file",
        size: 209715200,
      },
      {
        path: "b",
        kind: "file",
        size: 209715200,
      },
      {
        path: "c",
        kind: "file",
        size: 104857601,
      },
      {
        path: "d",
        kind: "file",
        size: 1,
      },
      {
        path: "link",
        kind: "symlink",
        size: 629145600,
      },
    ],
    expected: {
      valid: ["a", "b", "c", "d"],
      omitted: [
        {
          path: "link",
          reason: "file is a symbolic link",
        },
      ],
      invalid: [],
      sizeError: "module source tree too large (max size is 524288000 bytes)",
      err: "module source tree too large (max size is 524288000 bytes)",
    },
  },
  {
    name: "total size exactly 500 MiB",
    goVersion: null,
    files: [
      {
        path: "a",
        kind: "file",
        size: 209715200,
      },
      {
        path: "b",
        kind: "file",
        size: 209715200,
      },
      {
        path: "c",
        kind: "file",
        size: 104857600,
      },
    ],
    expected: {
      valid: ["a", "b", "c"],
      omitted: [],
      invalid: [],
    },
  },
  {
    name: "one file over 500 MiB",
    goVersion: null,
    files: [
      {
        path: "huge",
        kind: "file",
        size: 524288001,
      },
      {
        path: "small",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["huge", "small"],
      omitted: [],
      invalid: [],
      sizeError: "module source tree too large (max size is 524288000 bytes)",
      err: "module source tree too large (max size is 524288000 bytes)",
    },
  },
  {
    name: "lax go version",
    goVersion: "1.24",
    files: [
      {
        path: "go.mod",
        kind: "file",
        size: 19,
      },
      {
        path: "vendor/modules.txt",
        kind: "file",
        size: 1,
      },
    ],
    expected: {
      valid: ["go.mod"],
      omitted: [
        {
          path: "vendor/modules.txt",
          reason: "file is in vendor directory",
        },
      ],
      invalid: [],
    },
  },
];
