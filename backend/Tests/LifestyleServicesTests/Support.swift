#if canImport(Glibc)
    import Glibc
#endif

func makeTempDir() -> String {
    var template = Array("/tmp/services-tests-XXXXXX".utf8CString)
    let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return String(cString: p!)
}
