import XCTest

@testable import LifestyleCore

/// Per-address limits key a client's network: an IPv4 address, an IPv6 /64.
final class ClientNetworkTests: XCTestCase {
    func testIPv6AddressesOfOneSlash64ShareAKeyAndOthersDoNot() {
        let a = AddressLimits.network("2001:db8:1:2:aaaa:bbbb:cccc:dddd")
        XCTAssertEqual(a, "2001:db8:1:2::/64")
        XCTAssertEqual(AddressLimits.network("2001:db8:1:2::1"), a, "compressed, same /64")
        XCTAssertEqual(AddressLimits.network("2001:0DB8:0001:0002:0:0:0:ffff"), a, "leading zeros and upper case")
        XCTAssertEqual(AddressLimits.network("[2001:db8:1:2::7]"), a, "bracketed")
        XCTAssertEqual(AddressLimits.network("2001:db8:1:2::7%eth0"), a, "zone id")
        XCTAssertNotEqual(AddressLimits.network("2001:db8:1:3::1"), a, "the next /64")
        XCTAssertEqual(AddressLimits.network("::1"), "0:0:0:0::/64")
        XCTAssertEqual(AddressLimits.network("2001:db8::"), "2001:db8:0:0::/64")
    }

    func testIPv4AndIPv4MappedAddressesAreKeyedWhole() {
        XCTAssertEqual(AddressLimits.network("198.51.100.7"), "198.51.100.7")
        XCTAssertEqual(AddressLimits.network("::ffff:198.51.100.7"), "198.51.100.7")
        XCTAssertEqual(AddressLimits.network("::ffff:c633:6407"), "198.51.100.7")
        XCTAssertNotEqual(AddressLimits.network("198.51.100.8"), AddressLimits.network("198.51.100.7"))
    }

    func testWhatIsNoIPv6AddressIsKeyedAsItIs() {
        for text in ["2001:db8:1:2:3", "1::2::3", "2001:db8:1:2:3:4:5:6:7", "12345::1", "g::1", "1.2.3.4.5", "::ffff:1.2.3"] {
            XCTAssertNil(IPv6.groups(text), text)
            XCTAssertEqual(AddressLimits.network(text), text)
        }
        XCTAssertEqual(IPv6.groups("1:2:3:4:5:6:7:8"), [1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(IPv6.groups("::"), [0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(IPv6.groups("1::"), [1, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(IPv6.groups("::2:1.2.3.4"), [0, 0, 0, 0, 0, 2, 0x0102, 0x0304])
    }
}
