//! Network interfaces of this host.

use std::ffi::CString;

/// The index of the interface with this name, or `None` if there is none.
pub fn index_of(name: &str) -> Option<u32> {
    let c = CString::new(name).ok()?;
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    let index = unsafe { libc::if_nametoindex(c.as_ptr()) };
    (index != 0).then_some(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_interface_has_no_index() {
        assert_eq!(index_of("netkit-none0"), None);
        assert_eq!(index_of("bad\0name"), None);
    }
}
