//! PROJ's CRS identification (`proj_identify`), which the `proj` crate does not wrap.
//!
//! A shapefile's .prj is ESRI WKT without an EPSG code ("CGCS2000_3_Degree_GK_CM_123E");
//! PROJ parses it but the result has no area of use. Identifying it as EPSG:4550 gives
//! the area (for the out-of-area check) and a short name for messages. This is the only
//! unsafe code in the crate; every PROJ object is freed by a guard's `Drop`.

use proj_sys::{
    proj_context_create, proj_context_destroy, proj_create, proj_destroy, proj_get_id_auth_name,
    proj_get_id_code, proj_identify, proj_int_list_destroy, proj_list_destroy, proj_list_get,
    proj_list_get_count, PJconsts, PJ_CONTEXT, PJ_OBJ_LIST,
};
use std::ffi::{c_int, CStr, CString};
use std::ptr;

/// PROJ's confidence for "equivalent CRS" (100: same name too; 90: different name).
const EQUIVALENT: c_int = 90;

/// The EPSG code of the CRS `definition` (e.g. WKT) is equivalent to, if PROJ finds one.
pub(crate) fn identify_epsg(definition: &str) -> Option<u32> {
    let definition = CString::new(definition).ok()?;
    // SAFETY: each pointer is checked for null before use and freed exactly once by its
    // guard; the context outlives the objects created in it (guards drop in reverse order).
    unsafe {
        let ctx = Context(proj_context_create());
        if ctx.0.is_null() {
            return None;
        }
        let obj = Object(proj_create(ctx.0, definition.as_ptr()));
        if obj.0.is_null() {
            return None;
        }
        let epsg = CString::new("EPSG").expect("no NUL");
        let mut confidence: *mut c_int = ptr::null_mut();
        let list = List(proj_identify(
            ctx.0,
            obj.0,
            epsg.as_ptr(),
            ptr::null(),
            &mut confidence,
        ));
        let confidence = Confidence(confidence);
        if list.0.is_null() || confidence.0.is_null() {
            return None;
        }
        // Candidates come sorted by decreasing confidence.
        let count = proj_list_get_count(list.0);
        (0..count)
            .take_while(|&i| *confidence.0.add(i as usize) >= EQUIVALENT)
            .find_map(|i| {
                let candidate = Object(proj_list_get(ctx.0, list.0, i));
                if candidate.0.is_null() {
                    return None;
                }
                let auth = proj_get_id_auth_name(candidate.0, 0);
                let code = proj_get_id_code(candidate.0, 0);
                if auth.is_null() || code.is_null() || CStr::from_ptr(auth).to_bytes() != b"EPSG" {
                    return None;
                }
                CStr::from_ptr(code).to_str().ok()?.parse().ok()
            })
    }
}

struct Context(*mut PJ_CONTEXT);
impl Drop for Context {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: created by proj_context_create and not freed elsewhere.
            unsafe { proj_context_destroy(self.0) };
        }
    }
}

struct Object(*mut PJconsts);
impl Drop for Object {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: created by proj_create / proj_list_get and not freed elsewhere.
            unsafe { proj_destroy(self.0) };
        }
    }
}

struct List(*mut PJ_OBJ_LIST);
impl Drop for List {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: returned by proj_identify and not freed elsewhere.
            unsafe { proj_list_destroy(self.0) };
        }
    }
}

struct Confidence(*mut c_int);
impl Drop for Confidence {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: returned by proj_identify and not freed elsewhere.
            unsafe { proj_int_list_destroy(self.0) };
        }
    }
}
