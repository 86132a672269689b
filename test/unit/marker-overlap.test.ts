// markersOverlap: whether two PEP 508 markers can hold on one machine (used for uv's `environments`, which lists
// markers a project is resolved for).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { markersOverlap } from '../../server/src/pep/marker-overlap';

describe('markersOverlap', () => {
  it('finds platforms disjoint, and a platform overlapping a Python range', () => {
    assert.equal(markersOverlap("sys_platform == 'linux'", "sys_platform == 'win32'"), false);
    assert.equal(markersOverlap("sys_platform == 'linux'", "platform_system == 'Windows'"), false);
    assert.equal(markersOverlap("sys_platform == 'darwin'", "os_name == 'nt'"), false);
    assert.equal(markersOverlap("sys_platform == 'darwin'", "python_version >= '3.9'"), true);
    assert.equal(markersOverlap("sys_platform == 'linux'", "sys_platform != 'win32'"), true);
  });

  it('compares Python versions by their ranges, full versions included', () => {
    assert.equal(markersOverlap("python_version < '3.10'", "python_version >= '3.12'"), false);
    assert.equal(markersOverlap("python_full_version >= '3.12.4'", "python_version == '3.12'"), true);
    assert.equal(markersOverlap("python_full_version < '3.11'", "python_version >= '3.11'"), false);
  });

  it('tries the values the markers name, even ones no usual machine has', () => {
    assert.equal(markersOverlap("platform_machine == 'ppc64le'", "sys_platform == 'linux'"), true);
    assert.equal(markersOverlap("sys_platform == 'emscripten'", "sys_platform == 'linux'"), false);
    assert.equal(
      markersOverlap(
        "sys_platform == 'linux' and platform_machine == 'aarch64'",
        "platform_machine == 'x86_64' or sys_platform == 'darwin'",
      ),
      false,
    );
    assert.equal(markersOverlap("implementation_name == 'pypy'", "platform_python_implementation == 'CPython'"), false);
  });

  it('an empty or unreadable marker overlaps everything', () => {
    assert.equal(markersOverlap('', "sys_platform == 'win32'"), true);
    assert.equal(markersOverlap('sys_platform ==', "sys_platform == 'win32'"), true);
  });
});
