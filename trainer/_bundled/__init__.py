"""The bundled scenario library and rubrics, copied here when a wheel is built."""
