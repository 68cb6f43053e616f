Feature: Resource limits
  A few kilobytes of QR text can inflate to megabytes or nest CBOR a hundred
  thousand levels deep. A decoder bounds what it inflates and how deep it reads,
  and turns crafted sizes into clean rejections: never a crash, a stack overflow
  or memory exhaustion. Ordinary credentials of several kilobytes stay well within
  those bounds.

  @C169-ZLIB-007 @C169-SEC-002 @must @verify @EdDSA
  Scenario Outline: A credential inflating to about <size> is accepted
    Given the vector "<vector>"
    When the implementation decodes it
    Then it is accepted

    Examples:
      | size   | vector                   |
      | 8 KiB  | limit-decompressed-8kib  |
      | 16 KiB | limit-decompressed-16kib |

  @C169-SEC-002 @profile @verify @EdDSA
  Scenario: A credential inflating past 1 MiB is refused with bounded memory
    Given the vector "limit-zip-bomb-1mib"
    When the implementation decodes it
    Then it is rejected at the limit stage

  @C169-SEC-002 @profile @verify @EdDSA
  Scenario: A credential inflating to about 100 KiB may be read or refused
    Given the vector "limit-decompressed-100kib"
    When the implementation decodes it
    Then either answer conforms

  @C169-SEC-003 @should @verify @EdDSA
  Scenario: A value nested 200 levels deep may be read or refused cleanly
    Given the vector "limit-depth-200"
    When the implementation decodes it
    Then either answer conforms

  @C169-SEC-003 @profile @verify @EdDSA
  Scenario: A payload nested 100 000 levels deep is refused without a stack overflow
    Given the vector "limit-depth-100000"
    When the implementation decodes it
    Then it is rejected at the limit stage

  # Declared lengths longer than the input: malformed CBOR, refused where the claims set is read.
  @C169-SEC-009 @C169-SEC-002 @must @verify @EdDSA
  Scenario: An array declaring four billion items is refused without allocating them
    Given a credential
    And its payload is edited with {"replace": "a218a9a1185a9affffffff00000104"}
    When the implementation decodes it
    Then it is rejected at the cwt stage

  @C169-SEC-009 @C169-SEC-002 @must @verify @EdDSA
  Scenario: A map declaring 2^64 - 1 pairs is refused without allocating them
    Given a credential
    And its payload is edited with {"replace": "a118a9bbffffffffffffffff"}
    When the implementation decodes it
    Then it is rejected at the cwt stage

  @C169-SEC-009 @must @verify @EdDSA
  Scenario: A byte string declaring more bytes than follow is refused
    Given a credential
    And its payload is edited with {"replace": "a118a9a1185a5b000000010000000000"}
    When the implementation decodes it
    Then it is rejected at the cwt stage

  @C169-SEC-002 @profile @verify @EdDSA
  Scenario: An unassigned key holding 20 000 small integers may be read or refused
    Given the vector "limit-many-items"
    When the implementation decodes it
    Then either answer conforms

  @C169-ZLIB-007 @C169-SEC-002 @must @verify @EdDSA
  Scenario: The largest identity of the corpus stays within the limits
    Given a credential for the "large" identity
    When the implementation decodes it
    Then it is accepted
