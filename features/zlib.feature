Feature: zlib decompression
  Under the Base45 text lies exactly one zlib stream (RFC 1950): a two-byte header,
  DEFLATE data and an Adler-32 checksum of the COSE bytes. A decoder takes any
  window size, level and block type an encoder may choose, and refuses a stream
  whose header, content or checksum is wrong, or which is followed by more bytes.

  # Every CINFO from 0 to 7 names a valid window (RFC 1950 §2.2): graded MUST, as the
  # verdict policy reads it (the catalogue lists C169-ZLIB-008 as SHOULD).
  @C169-ZLIB-008 @C169-ZLIB-007 @must @verify @EdDSA
  Scenario Outline: A stream with a window below 32 KiB (2^<bits>) at level <level> is accepted
    Given a credential for the "face" identity
    And the encoder option "zlib_window_bits" is <bits>
    And the encoder option "zlib_level" is <level>
    When the implementation decodes it
    Then it is accepted

    Examples:
      | bits | level |
      | 8    | 0     |
      | 8    | 9     |
      | 9    | 9     |
      | 10   | 1     |
      | 11   | 9     |
      | 12   | 1     |
      | 13   | 9     |
      | 14   | 1     |

  @C169-ZLIB-007 @C169-ZLIB-008 @must @verify @EdDSA
  Scenario Outline: A stream with the 32 KiB window at level <level> is accepted
    Given a credential for the "face" identity
    And the encoder option "zlib_window_bits" is 15
    And the encoder option "zlib_level" is <level>
    When the implementation decodes it
    Then it is accepted

    Examples:
      | level |
      | 0     |
      | 9     |

  @C169-ZLIB-007 @must @verify @EdDSA
  Scenario Outline: The FLEVEL bits are informational (FLEVEL <flevel>)
    Given a credential
    And the encoder option "zlib_flevel" is <flevel>
    When the implementation decodes it
    Then it is accepted

    Examples:
      | flevel |
      | 0      |
      | 1      |
      | 2      |
      | 3      |

  @C169-ZLIB-002 @must @verify @EdDSA
  Scenario Outline: A header that fails its check bits is refused (<identity>)
    Given a credential for the "<identity>" identity
    And the encoder option "zlib_break_check" is true
    When the implementation decodes it
    Then it is rejected at the zlib stage

    Examples:
      | identity |
      | minimal  |
      | face     |

  @C169-ZLIB-004 @must @verify @EdDSA
  Scenario: A stream asking for a preset dictionary is refused
    Given a credential
    And the encoder option "zlib_fdict" is true
    When the implementation decodes it
    Then it is rejected at the zlib stage

  @C169-ZLIB-003 @must @verify @EdDSA
  Scenario Outline: A compression method other than DEFLATE is refused (CM <cm>)
    Given a credential
    And the encoder option "zlib_cm" is <cm>
    When the implementation decodes it
    Then it is rejected at the zlib stage

    Examples:
      | cm |
      | 0  |
      | 7  |
      | 15 |

  @C169-ZLIB-003 @must @verify @EdDSA
  Scenario Outline: A window larger than 32 KiB is refused (CINFO <cinfo>)
    Given a credential
    And the encoder option "zlib_cinfo" is <cinfo>
    When the implementation decodes it
    Then it is rejected at the zlib stage

    Examples:
      | cinfo |
      | 8     |
      | 15    |

  @C169-ZLIB-005 @must @verify @EdDSA
  Scenario Outline: A wrong Adler-32 checksum is refused (<identity>)
    Given a credential for the "<identity>" identity
    And its zlib is edited with {"xor": [-1, 1]}
    When the implementation decodes it
    Then it is rejected at the zlib stage

    Examples:
      | identity     |
      | minimal      |
      | demographics |
      | face         |

  @C169-ZLIB-005 @C169-ZLIB-006 @must @verify @EdDSA
  Scenario Outline: A stream cut short is refused (<n> bytes lost, <identity>)
    Given a credential for the "<identity>" identity
    And its zlib is edited with {"truncate": <n>}
    When the implementation decodes it
    Then it is rejected at the zlib stage

    Examples:
      | identity     | n  |
      | demographics | 1  |
      | demographics | 4  |
      | face         | 5  |
      | face         | 10 |
      | face         | 30 |

  @C169-ZLIB-006 @must @verify @EdDSA
  Scenario: A stream of nothing but its header is refused
    Given a credential
    And its zlib is edited with {"replace": "789c"}
    When the implementation decodes it
    Then it is rejected at the zlib stage

  @C169-ZLIB-005 @profile @verify @EdDSA
  Scenario Outline: Bytes after the checksum may be read or refused; the strict profile refuses them (<bytes>)
    Given a credential
    And its zlib is edited with {"append": "<bytes>"}
    When the implementation decodes it
    Then either answer conforms, preferring rejection

    Examples:
      | bytes            |
      | 00               |
      | 0000             |
      | 789c0300000000ff |

  @C169-ZLIB-005 @C169-ZLIB-001 @must @verify @EdDSA
  Scenario: Raw DEFLATE without the zlib header and checksum is refused
    Given a credential
    And its zlib is edited with {"skip": 2}
    And its zlib is edited with {"truncate": 4}
    When the implementation decodes it
    Then it is rejected at the zlib stage

  @C169-ZLIB-003 @C169-ZLIB-001 @must @verify @EdDSA
  Scenario: A gzip header in place of the zlib header is refused
    Given a credential
    And its zlib is edited with {"overwrite": [0, "1f8b"]}
    When the implementation decodes it
    Then it is rejected at the zlib stage

  @C169-ZLIB-006 @must @verify @EdDSA
  Scenario: A block of the reserved type is refused
    Given a credential
    And the encoder option "zlib_level" is 0
    And its zlib is edited with {"overwrite": [2, "07"]}
    When the implementation decodes it
    Then it is rejected at the zlib stage

  @C169-ZLIB-006 @must @verify @EdDSA
  Scenario: A stored block whose length and its complement disagree is refused
    Given a credential
    And the encoder option "zlib_level" is 0
    And its zlib is edited with {"xor": [5, 1]}
    When the implementation decodes it
    Then it is rejected at the zlib stage

  @C169-ZLIB-001 @profile @verify @EdDSA
  Scenario Outline: COSE bytes put into Base45 without compression may be read or refused; the strict profile refuses them (<identity>)
    Given a credential for the "<identity>" identity
    And the encoder option "no_compression" is true
    When the implementation decodes it
    Then either answer conforms, preferring rejection

    Examples:
      | identity |
      | minimal  |
      | face     |
