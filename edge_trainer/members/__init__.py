"""Members: opaque ids on QR cards shown to the camera, their list, sign-in and progress."""
