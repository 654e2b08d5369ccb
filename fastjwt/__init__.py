"""fastjwt: PyJWT's API on a compiled core."""
