//! The process's allocator: glibc's, until a command that allocates by the
//! hundred thousand (a DNS batch) turns on [`fast`]; mimalloc from then on.
//!
//! Why two: with hundreds of queries in flight, glibc's per-thread cache
//! (7 blocks per size) overflows and a third of a batch query's work went
//! to malloc and free (callgrind: 40M of 200M instructions for 5,000
//! queries; 21% fewer with mimalloc). But mimalloc at start-up costs a
//! one-name look-up about 10% of its time (its arena and first page), and
//! most runs are one name. So blocks are taken from mimalloc only once a
//! batch begins, and each block goes back to the allocator that gave it:
//! mimalloc's page map says whether a pointer is its own (an array look-up,
//! no lock), and a block from glibc is never inside mimalloc's arenas.
//!
//! mimalloc is built (`.cargo/config.toml`) without its load-time set-up
//! (done by [`fast`] instead: 59k instructions and 12 system calls at
//! every start otherwise), without reading `MIMALLOC_*` variables (128k
//! instructions with a typical environment), without transparent huge
//! pages, reserving 64 MiB at a time.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, Ordering};

use libmimalloc_sys as mi;

/// Set once a command asks for it; never cleared.
static FAST: AtomicBool = AtomicBool::new(false);

unsafe extern "C" {
    /// mimalloc's process set-up, which its load-time constructor runs
    /// unless it is built with `MI_PRIM_HAS_PROCESS_ATTACH` (as here).
    fn _mi_auto_process_init();
    /// True until that set-up has run.
    fn _mi_preloading() -> bool;
}

/// New blocks come from mimalloc from now on (blocks already given by
/// glibc are still freed there). Only the process's main thread may turn
/// it on: mimalloc's set-up makes the calling thread its main one, and a
/// main thread that exits first takes mimalloc's process state with it
/// (a crash, seen when a test thread turned it on). Elsewhere this does
/// nothing, and glibc stays.
pub fn fast() {
    // SAFETY: getpid and gettid take no arguments and cannot fail.
    let main = unsafe { libc::getpid() == libc::gettid() };
    if !main {
        return;
    }
    static SET_UP: std::sync::Once = std::sync::Once::new();
    SET_UP.call_once(|| {
        // SAFETY: both take no arguments; the set-up runs once (the Once,
        // and not at all if a build with the constructor already ran it),
        // on the main thread, before any block is asked of mimalloc.
        unsafe {
            if _mi_preloading() {
                _mi_auto_process_init();
            }
        }
    });
    FAST.store(true, Ordering::Relaxed);
}

/// Whether new blocks come from mimalloc.
pub fn is_fast() -> bool {
    FAST.load(Ordering::Relaxed)
}

/// glibc's malloc, then mimalloc after [`fast`].
pub struct Hybrid;

/// Whether mimalloc gave `p` (false for every pointer before [`fast`]).
fn mimallocs(p: *mut u8) -> bool {
    // SAFETY: mi_is_in_heap_region only reads mimalloc's page map (it
    // returns false before mimalloc has allocated anything); `p` is not
    // dereferenced.
    is_fast() && unsafe { mi::mi_is_in_heap_region(p as *const c_void) }
}

/// Small alignments, which mimalloc's plain calls give in practice (its
/// size classes are multiples of 8 bytes, of 16 past 64 bytes, in pages
/// that start 16-aligned). The block is checked all the same
/// ([`aligned`]); the aligned calls, which do more per block, are for the
/// rest and for a block that misses.
fn natural(layout: Layout) -> bool {
    layout.align() <= 16 && layout.align() <= layout.size()
}

fn aligned(p: *mut u8, layout: Layout) -> bool {
    !p.is_null() && (p as usize) & (layout.align() - 1) == 0
}

/// A block from mimalloc (zeroed or not): its plain call when the
/// alignment is small and the block meets it, else its aligned call.
#[inline]
fn mi_block(layout: Layout, zeroed: bool) -> *mut u8 {
    let (size, align) = (layout.size(), layout.align());
    if natural(layout) {
        // SAFETY: mimalloc's calls take any size (GlobalAlloc's callers
        // give a non-zero one).
        let p: *mut u8 = unsafe {
            if zeroed {
                mi::mi_zalloc(size)
            } else {
                mi::mi_malloc(size)
            }
        }
        .cast();
        if aligned(p, layout) {
            return p;
        }
        // SAFETY: mimalloc gave `p`, freed once, never handed out.
        unsafe { mi::mi_free(p.cast()) }
    }
    // SAFETY: as above; `align` is a power of two (Layout's invariant).
    unsafe {
        if zeroed {
            mi::mi_zalloc_aligned(size, align)
        } else {
            mi::mi_malloc_aligned(size, align)
        }
    }
    .cast()
}

// SAFETY: every block comes from one of two allocators that each meet
// GlobalAlloc's contract for the layouts they are given (mimalloc's
// aligned calls take any power-of-two alignment; a block of its plain
// calls is handed out only once checked to have the layout's alignment),
// and every free, resize or zeroed allocation goes to the allocator that
// owns the block.
unsafe impl GlobalAlloc for Hybrid {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if is_fast() {
            mi_block(layout, false)
        } else {
            // SAFETY: the caller's contract, passed on.
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if is_fast() {
            mi_block(layout, true)
        } else {
            // SAFETY: the caller's contract, passed on.
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if mimallocs(ptr) {
            // SAFETY: mimalloc gave `ptr`, and it is freed once.
            unsafe { mi::mi_free(ptr.cast()) }
        } else {
            // SAFETY: glibc gave `ptr` with `layout`.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if mimallocs(ptr) {
            // SAFETY: mimalloc gave `ptr` with `layout.align()`.
            unsafe { mi::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast() }
        } else {
            // SAFETY: glibc gave `ptr` with `layout` (a block grown from
            // glibc stays glibc's).
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[global_allocator]
static GLOBAL: Hybrid = Hybrid;

#[cfg(test)]
mod tests {
    use super::*;

    /// A test runs on a thread of the harness, not the main one: the
    /// switch is refused and glibc keeps giving blocks. (The switch itself
    /// runs in every batch of the integration tests, on the binary's main
    /// thread.)
    #[test]
    fn only_the_main_thread_switches() {
        fast();
        assert!(!is_fast());
        let v: Vec<u8> = (0..100).collect();
        assert!(!mimallocs(v.as_ptr() as *mut u8));
        let layout = Layout::from_size_align(100, 4096).unwrap();
        // SAFETY: a non-zero size; freed with the same layout.
        unsafe {
            let p = GLOBAL.alloc_zeroed(layout);
            assert!(!p.is_null() && (p as usize).is_multiple_of(4096) && *p == 0);
            GLOBAL.dealloc(p, layout);
        }
    }
}
