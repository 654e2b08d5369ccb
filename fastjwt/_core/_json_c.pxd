# The C-level entry point of the compiled JSON codec, cimported by the compiled core (``_core_c.pyx``) so the hot
# path parses a decoded payload straight from its buffer, without a Python call.

cdef object loads_buffer(const unsigned char* buf, Py_ssize_t n, Py_ssize_t max_depth)
