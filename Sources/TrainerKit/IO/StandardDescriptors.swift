import Glibc

/// Descriptors 0, 1 and 2, which every part of trainer takes to be stdin,
/// stdout and stderr.
public enum StandardDescriptors {
    /// Opens /dev/null on each of 0, 1 and 2 that the parent left closed
    /// (`trainer run c.json 2>&-`). open(2) returns the lowest free number,
    /// so otherwise the first file trainer opened (the loss log) would become
    /// "stderr", and progress lines and errors would be written into it.
    /// Call first thing, before anything is opened.
    public static func openClosed() {
        for descriptor: Int32 in 0...2 where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY)
            // The lowest free number is this one, as 0...2 are filled in order.
            if opened >= 0, opened != descriptor {
                dup2(opened, descriptor)
                close(opened)
            }
        }
    }
}
