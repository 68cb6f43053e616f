Feature: The CWT claims set and its validity period
  Inside the signed message lies a CWT claims set: a CBOR map with the issuer,
  the subject, the validity period and, under key 169, the identity. A verifier
  refuses a payload that is not exactly one well-formed map, claims of the wrong
  type, repeated claims, and credentials used outside their validity period. The
  default validation time is 1760000000.

  @C169-CWT-006 @must @verify @EdDSA
  Scenario Outline: A credential is refused from the moment of its expiry (exp <exp>)
    Given a credential
    And its claim "exp" is <exp>
    When the implementation decodes it
    Then it is rejected at the time stage

    Examples:
      | exp        |
      | 1760000000 |
      | 1759999999 |
      | 1660000000 |

  @C169-CWT-006 @must @verify @EdDSA
  Scenario: A credential expiring one second after the validation time is accepted
    Given a credential
    And its claim "exp" is 1760000001
    When the implementation decodes it
    Then it is accepted

  @C169-CWT-007 @must @verify @EdDSA
  Scenario: A credential whose not-before time is the validation time is accepted
    Given a credential
    And its claim "nbf" is 1760000000
    When the implementation decodes it
    Then it is accepted

  @C169-CWT-007 @must @verify @EdDSA
  Scenario Outline: A credential is refused before its not-before time (nbf <nbf>)
    Given a credential
    And its claim "nbf" is <nbf>
    When the implementation decodes it
    Then it is rejected at the time stage

    Examples:
      | nbf        |
      | 1760000001 |
      | 1791536000 |

  @C169-CWT-006 @must @verify @EdDSA
  Scenario: Moving the validation time past the expiry makes the credential expire
    Given a credential
    And the validation time is 1790000000
    When the implementation decodes it
    Then it is rejected at the time stage

  @C169-CWT-007 @must @verify @EdDSA
  Scenario: Moving the validation time before the not-before time makes the credential premature
    Given a credential
    And the validation time is 1749999999
    When the implementation decodes it
    Then it is rejected at the time stage

  @C169-CWT-006 @C169-CWT-007 @C169-SEC-007 @must @verify
  Scenario Outline: Time checks apply whatever the signature algorithm (<case>, <key>)
    Given a credential
    And it is signed with the "<key>" test key
    And its claim "<claim>" is <value>
    When the implementation decodes it
    Then it is rejected at the time stage

    @EdDSA
    Examples: EdDSA
      | case       | key       | claim | value      |
      | exp now    | ed25519-a | exp   | 1760000000 |
      | nbf future | ed25519-a | nbf   | 1760000001 |

    @ES256
    Examples: ES256
      | case     | key    | claim | value      |
      | exp past | p256-a | exp   | 1759999999 |

    @ES384
    Examples: ES384
      | case       | key    | claim | value      |
      | nbf future | p384-a | nbf   | 1760000001 |

    @ES512
    Examples: ES512
      | case    | key    | claim | value      |
      | exp now | p521-a | exp   | 1760000000 |

  @C169-SEC-007 @must @verify @EdDSA
  Scenario: A credential with neither expiry nor not-before time is accepted
    Given a credential
    And its claim "exp" is null
    And its claim "nbf" is null
    When the implementation decodes it
    Then it is accepted

  @C169-CWT-008 @may @verify @EdDSA
  Scenario: An issue time in the future is informational
    Given a credential
    And its claim "iat" is 1780000000
    When the implementation decodes it
    Then it is accepted

  @C169-CWT-015 @C169-CWT-005 @may @verify @EdDSA
  Scenario Outline: Other registered claims are carried along (<name>)
    Given a credential
    And its claim "<claim>" is <value>
    When the implementation decodes it
    Then it is accepted

    Examples:
      | name           | claim | value                                      |
      | audience text  | aud   | "https://verifier.c169.example"            |
      | audience array | aud   | ["https://a.example", "https://b.example"] |
      | cti            | cti   | {"bstr": "0b71"}                           |

  @C169-CWT-015 @may @verify @EdDSA
  Scenario: Private and other registered claims beside the known ones are carried along
    Given a credential
    And its claims are {"map": [[1, "https://issuer.c169.example"], [4, 1790000000], [8, {"1": {"bstr": "00"}}], [-70000, true], ["note", "x"]]}
    When the implementation decodes it
    Then it is accepted

  @C169-CWT-003 @C169-CWT-004 @must @verify @EdDSA
  Scenario: Issuer and subject are read as text
    Given a credential
    And its claims are "full"
    When the implementation decodes it
    Then it is accepted

  @C169-CWT-011 @should @verify @EdDSA
  Scenario Outline: A NumericDate written as a float may be read or refused (<claim>)
    Given a credential
    And its claim "<claim>" is {"float": <value>}
    When the implementation decodes it
    Then either answer conforms

    Examples:
      | claim | value        |
      | exp   | 1790000000.5 |
      | nbf   | 1750000000.0 |

  @C169-CWT-006 @C169-CWT-011 @must @verify @EdDSA
  Scenario: An expiry written as a float just before the validation time is refused
    Given a credential
    And its claim "exp" is {"float": 1759999999.5}
    When the implementation decodes it
    Then it is rejected at the time stage

  @C169-CWT-010 @C169-CWT-006 @C169-CWT-007 @must @verify @EdDSA
  Scenario Outline: A time claim that is not a NumericDate is refused (<name>)
    Given a credential
    And its claim "<claim>" is <value>
    When the implementation decodes it
    Then it is rejected at the cwt stage

    Examples:
      | name         | claim | value                           |
      | exp as text  | exp   | "1790000000"                    |
      | exp as bytes | exp   | {"bstr": "6a9160fd"}            |
      | exp in tag 1 | exp   | {"tag": 1, "value": 1790000000} |
      | nbf as text  | nbf   | "1750000000"                    |
      | iat as bool  | iat   | true                            |
      | exp NaN      | exp   | {"float": "NaN"}                |
      | exp infinite | exp   | {"float": "Infinity"}           |

  @C169-CWT-003 @C169-CWT-004 @must @verify @EdDSA
  Scenario Outline: An issuer or subject that is not text is refused (<name>)
    Given a credential
    And its claim "<claim>" is <value>
    When the implementation decodes it
    Then it is rejected at the cwt stage

    Examples:
      | name         | claim | value            |
      | iss as int   | iss   | 7                |
      | iss as bytes | iss   | {"bstr": "6973"} |
      | sub as int   | sub   | 1                |

  # Claim 169 verifiers do not use aud or cti: claims not understood are ignored (RFC 8392 §3).
  @C169-CWT-015 @C169-CWT-005 @profile @verify @EdDSA
  Scenario Outline: An audience or token id of the wrong type may be read or refused; the strict profile refuses it (<name>)
    Given a credential
    And its claim "<claim>" is <value>
    When the implementation decodes it
    Then either answer conforms, preferring rejection

    Examples:
      | name        | claim | value  |
      | aud as int  | aud   | 3      |
      | cti as text | cti   | "0b71" |

  @C169-CWT-013 @must @verify @EdDSA
  Scenario Outline: A claim repeated in the claims set is refused (<name>)
    Given a credential
    And its claims are <claims>
    When the implementation decodes it
    Then it is rejected at the cwt stage

    Examples:
      | name | claims                                                                                       |
      | exp  | {"map": [[1, "https://issuer.c169.example"], [4, 1790000000], [4, 1700000000]]}              |
      | iss  | {"map": [[1, "https://issuer.c169.example"], [1, "https://other.example"], [4, 1790000000]]} |

  @C169-CWT-013 @must @verify @EdDSA
  Scenario: Two claim 169 entries in one claims set are refused
    Given a credential
    And its payload is edited with {"replace": "a3016e68747470733a2f2f69737375657218a9a104614118a9a1046142"}
    When the implementation decodes it
    Then it is rejected at the cwt stage

  @C169-CWT-001 @must @verify @EdDSA
  Scenario Outline: A payload that is not a map is refused (<name>)
    Given a credential
    And its payload is edited with {"replace": "<bytes>"}
    When the implementation decodes it
    Then it is rejected at the cwt stage

    Examples:
      | name    | bytes    |
      | array   | 83010203 |
      | text    | 6161     |
      | integer | 01       |

  @C169-SEC-010 @should @verify @EdDSA
  Scenario Outline: Bytes after the claims map are refused (<name>)
    Given a credential
    And its payload is edited with {"append": "<bytes>"}
    When the implementation decodes it
    Then it is rejected at the cwt stage

    Examples:
      | name       | bytes |
      | zero       | 00    |
      | break      | ff    |
      | second map | a0    |

  @C169-CWT-019 @C169-SEC-009 @must @verify @EdDSA
  Scenario: An issuer that is not valid UTF-8 is refused
    Given a credential
    And its payload is edited with {"replace": "a20162c32818a9a0"}
    When the implementation decodes it
    Then it is rejected at the cwt stage

  @C169-SEC-009 @must @verify @EdDSA
  Scenario: A payload that is not well-formed CBOR is refused
    Given a credential
    And its payload is edited with {"replace": "a1011c"}
    When the implementation decodes it
    Then it is rejected at the cwt stage

  @C169-SEC-008 @should @verify @EdDSA
  Scenario: An expiry at the largest 64-bit integer causes no overflow
    Given a credential
    And its claim "exp" is 9223372036854775807
    When the implementation decodes it
    Then it is accepted

  @C169-SEC-008 @should @verify @EdDSA
  Scenario: An expiry beyond the 64-bit range may be read or refused
    Given a credential
    And its claim "exp" is {"int": "18446744073709551615"}
    When the implementation decodes it
    Then either answer conforms

  @C169-CWT-002 @must @verify @EdDSA
  Scenario: A claims set without claim 169 is refused
    Given a credential
    And its payload is edited with {"replace": "a2016e68747470733a2f2f697373756572041a6ab0b730"}
    When the implementation decodes it
    Then it is rejected at the claim169 stage
