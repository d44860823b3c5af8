/**
 * The generated module of bench/bundle.ts: the sample module's main (cobra,
 * yaml, uuid, errgroup, testify) plus `layers` layers of `width` packages,
 * each importing two of the layer below, each with `funcs` functions and a
 * test. Run r ≥ 2 edits one package of the lower layers, a different one each
 * run, so its dependents rebuild too.
 */
import { cp, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')

export interface ModuleShape {
  layers: number
  width: number
  funcs: number
}

export class GeneratedModule {
  readonly shape: ModuleShape

  constructor(shape: ModuleShape) {
    this.shape = shape
    if (shape.layers < 2) throw new Error('--layers must be at least 2: edits go to a layer with dependents')
  }

  /** Package `p<i>` of layer `l`: `funcs` functions, two imports from the layer below, and a test. */
  packageSource(l: number, i: number, edit: number): { code: string; test: string } {
    const { width, funcs } = this.shape
    const deps = l === 0 ? [] : [i % width, (i + 1) % width].map((j) => `example.com/sample/gen/l${l - 1}/p${j}`)
    const lines = [`package p${i}`, '', 'import (', '\t"strings"', ...deps.map((d, k) => `\td${k} "${d}"`), ')', '', `const edit = ${edit}`, '']
    for (let f = 0; f < funcs; f++) {
      lines.push(
        `type T${f} struct{ A, B int; S string; M map[string][]int }`,
        `func (t *T${f}) Step(x int) int {`,
        '\tfor k := 0; k < x%7; k++ {',
        `\t\tt.A += k*${f + 3} + edit`,
        `\t\tt.M[t.S] = append(t.M[t.S], t.A^t.B)`,
        '\t}',
        '\tif len(t.S) > 3 { t.S = strings.ToUpper(t.S[:3]) }',
        '\treturn t.A + len(t.M)',
        '}',
        `func F${f}(x int) int { t := &T${f}{B: x, S: "s", M: map[string][]int{}}; return t.Step(x)${deps.map((_, k) => ` + d${k}.F${f}(x-1)%3`).join('')} }`,
        '',
      )
    }
    const test = [`package p${i}`, '', 'import "testing"', '', `func TestF0(t *testing.T) { if F0(5) == -1 { t.Fatal("unreachable") } }`, ''].join('\n')
    return { code: lines.join('\n'), test }
  }

  async writePackage(workspace: string, l: number, i: number, edit: number): Promise<void> {
    const dir = path.join(workspace, 'gen', `l${l}`, `p${i}`)
    await mkdir(dir, { recursive: true })
    const { code, test } = this.packageSource(l, i, edit)
    await writeFile(path.join(dir, `p${i}.go`), code)
    await writeFile(path.join(dir, `p${i}_test.go`), test)
  }

  async checkout(workspace: string): Promise<void> {
    const { layers, width } = this.shape
    await cp(path.join(root, '__tests__', 'fixtures', 'sample-module'), workspace, { recursive: true })
    for (let l = 0; l < layers; l++) for (let i = 0; i < width; i++) await this.writePackage(workspace, l, i, 0)
    const top = Array.from({ length: width }, (_, i) => `\t_ "example.com/sample/gen/l${layers - 1}/p${i}"`)
    await writeFile(path.join(workspace, 'gen.go'), ['package main', '', 'import (', ...top, ')', ''].join('\n'))
  }

  /** Run r ≥ 2 edits one package below the top layer; a different one each run. */
  editFor(run: number): { layer: number; index: number } {
    const slot = (run - 2) * 3
    return { layer: (run - 2) % (this.shape.layers - 1), index: slot % this.shape.width }
  }
}
