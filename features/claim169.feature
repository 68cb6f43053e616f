Feature: The identity under claim 169
  Claim 169 holds a CBOR map with integer keys: 1 to 23 for demographic attributes,
  each with its type, enumerations for gender, marital status and photo format,
  and 50 to 65 for biometrics. Every attribute is optional. A verifier returns what
  was written, keeps keys it does not know, and refuses a claim that is not a map
  or that repeats a key.

  @C169-CLAIM-003 @C169-CLAIM-002 @must @verify @EdDSA
  Scenario Outline: Attribute <key> (<name>) alone is read back unchanged
    Given a credential for the "empty" identity
    And its attribute "<name>" is <value>
    When the implementation decodes it
    Then it is accepted
    And the decoded attribute "<key>" is <decoded>

    @C169-CLAIM-101
    Examples: ID
      | key | name | value     | decoded   |
      | 1   | id   | "ID-0001" | "ID-0001" |

    @C169-CLAIM-102
    Examples: Version
      | key | name    | value | decoded |
      | 2   | version | "1.0" | "1.0"   |

    @C169-CLAIM-103
    Examples: Language
      | key | name     | value | decoded |
      | 3   | language | "eng" | "eng"   |

    @C169-CLAIM-104
    Examples: Full name
      | key | name     | value          | decoded        |
      | 4   | fullName | "Janardhan BS" | "Janardhan BS" |

    @C169-CLAIM-105
    Examples: First name
      | key | name      | value       | decoded     |
      | 5   | firstName | "Janardhan" | "Janardhan" |

    @C169-CLAIM-106
    Examples: Middle name
      | key | name       | value       | decoded     |
      | 6   | middleName | "Bangalore" | "Bangalore" |

    @C169-CLAIM-107
    Examples: Last name
      | key | name     | value      | decoded    |
      | 7   | lastName | "Srinivas" | "Srinivas" |

    @C169-CLAIM-108
    Examples: Date of birth
      | key | name        | value      | decoded    |
      | 8   | dateOfBirth | "19840418" | "19840418" |

    @C169-CLAIM-109
    Examples: Gender
      | key | name   | value | decoded |
      | 9   | gender | 1     | 1       |

    @C169-CLAIM-110
    Examples: Address
      | key | name    | value                                   | decoded                                 |
      | 10  | address | "New House, Near Metro Line, Bengaluru" | "New House, Near Metro Line, Bengaluru" |

    @C169-CLAIM-111
    Examples: Email
      | key | name  | value                   | decoded                 |
      | 11  | email | "janardhan@example.com" | "janardhan@example.com" |

    @C169-CLAIM-112
    Examples: Phone
      | key | name  | value             | decoded           |
      | 12  | phone | "+91 98765 43210" | "+91 98765 43210" |

    @C169-CLAIM-113
    Examples: Nationality
      | key | name        | value | decoded |
      | 13  | nationality | "IND" | "IND"   |

    @C169-CLAIM-114
    Examples: Marital status
      | key | name          | value | decoded |
      | 14  | maritalStatus | 2     | 2       |

    @C169-CLAIM-115
    Examples: Guardian
      | key | name     | value           | decoded         |
      | 15  | guardian | "Guardian-0001" | "Guardian-0001" |

    @C169-CLAIM-116
    Examples: Photo
      | key | name  | value                  | decoded                          |
      | 16  | photo | "ffd8ffe000104a464946" | {"bstr": "ffd8ffe000104a464946"} |

    @C169-CLAIM-117
    Examples: Photo format
      | key | name        | value | decoded |
      | 17  | photoFormat | 4     | 4       |

    @C169-CLAIM-118
    Examples: Best quality fingers
      | key | name               | value            | decoded          |
      | 18  | bestQualityFingers | [0, 1, 5, 6, 10] | [0, 1, 5, 6, 10] |

    @C169-CLAIM-119
    Examples: Secondary full name
      | key | name              | value            | decoded          |
      | 19  | secondaryFullName | "جاناردان بي إس" | "جاناردان بي إس" |

    @C169-CLAIM-120
    Examples: Secondary language
      | key | name              | value | decoded |
      | 20  | secondaryLanguage | "ara" | "ara"   |

    @C169-CLAIM-121
    Examples: Location code
      | key | name         | value         | decoded       |
      | 21  | locationCode | "849VCWC8+R9" | "849VCWC8+R9" |

    @C169-CLAIM-122
    Examples: Legal status
      | key | name        | value     | decoded   |
      | 22  | legalStatus | "Refugee" | "Refugee" |

    @C169-CLAIM-123
    Examples: Country of issuance
      | key | name              | value | decoded |
      | 23  | countryOfIssuance | "IN"  | "IN"    |

  @C169-CLAIM-109 @C169-CLAIM-114 @C169-CLAIM-117 @must @verify @EdDSA
  Scenario Outline: Every value of an enumeration's table is accepted (<name> = <value>)
    Given a credential
    And its attribute "<name>" is <value>
    When the implementation decodes it
    Then it is accepted

    Examples:
      | name          | value |
      | gender        | 1     |
      | gender        | 2     |
      | gender        | 3     |
      | maritalStatus | 1     |
      | maritalStatus | 2     |
      | maritalStatus | 3     |
      | photoFormat   | 1     |
      | photoFormat   | 2     |
      | photoFormat   | 3     |
      | photoFormat   | 4     |

  @C169-CLAIM-001 @C169-CLAIM-002 @must @verify @EdDSA
  Scenario: An empty claim 169 map is accepted
    Given a credential for the "empty" identity
    When the implementation decodes it
    Then it is accepted

  @C169-CLAIM-108 @must @verify @EdDSA
  Scenario: A date of birth written with dashes is returned as written
    Given a credential
    And its attribute "dateOfBirth" is "1984-04-18"
    When the implementation decodes it
    Then it is accepted
    And the decoded attribute "8" is "1984-04-18"

  @C169-CLAIM-110 @must @verify @EdDSA
  Scenario: An address of several lines keeps its line feeds
    Given a credential
    And its attribute "address" is "Line one\nLine two\nLine three"
    When the implementation decodes it
    Then it is accepted
    And the decoded attribute "10" is "Line one\nLine two\nLine three"

  @C169-CLAIM-118 @must @verify @EdDSA
  Scenario: Best quality fingers may name every position from 0 to 10
    Given a credential
    And its attribute "bestQualityFingers" is [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    When the implementation decodes it
    Then it is accepted

  # Accepting it is the text's (vectors claim169-unassigned-*); returning it is the profile's preference.
  @C169-CLAIM-162 @profile @verify @EdDSA
  Scenario Outline: An unassigned key is returned unchanged, as the strict profile prefers (key <key>)
    Given a credential
    And its attribute "<key>" is {"map": [[1, "x"], ["y", {"bstr": "00ff"}]]}
    When the implementation decodes it
    Then it is accepted
    And the decoded attribute "<key>" is {"map": [[1, "x"], ["y", {"bstr": "00ff"}]]}

    Examples:
      | key    |
      | 24     |
      | 49     |
      | 66     |
      | 74     |
      | 75     |
      | 99     |
      | 100    |
      | 1000   |
      | -1     |
      | -65536 |

  @C169-CLAIM-162 @should @verify @EdDSA
  Scenario: Unassigned keys may hold any CBOR type
    Given a credential
    And its attribute "30" is {"undefined": true}
    And its attribute "31" is {"simple": 16}
    And its attribute "32" is {"tag": 1, "value": 0}
    And its attribute "33" is {"float": 1.5}
    And its attribute "34" is {"int": "18446744073709551615"}
    When the implementation decodes it
    Then it is accepted

  @C169-CLAIM-162 @should @verify @EdDSA
  Scenario: An unassigned key may hold a nested structure
    Given a credential
    And its attribute "80" is [[[[[[[[[[1]]]]]]]]]]
    When the implementation decodes it
    Then it is accepted

  @C169-CLAIM-001 @must @verify @EdDSA
  Scenario Outline: Claim 169 as a byte string holding the map may be read or refused (<identity>)
    Given a credential for the "<identity>" identity
    And the encoder option "claim169_as_bytes" is true
    When the implementation decodes it
    Then either answer conforms

    Examples:
      | identity     |
      | minimal      |
      | demographics |

  @C169-CLAIM-001 @must @verify @EdDSA
  Scenario Outline: Claim 169 that is not a map is refused (<name>)
    Given a credential
    And its claim 169 is <value>
    When the implementation decodes it
    Then it is rejected at the claim169 stage

    Examples:
      | name          | value            |
      | text          | "Janardhan"      |
      | array         | [1, 2]           |
      | integer       | 169              |
      | null          | null             |
      | bytes, no map | {"bstr": "0102"} |

  @C169-CLAIM-004 @C169-QR-008 @must @verify @EdDSA
  Scenario Outline: A key twice in the claim 169 map is refused (key <key>)
    Given a credential
    And its claim 169 is {"map": [[<key>, "a"], [7, "x"], [<key>, "b"]]}
    When the implementation decodes it
    Then it is rejected at the claim169 stage

    Examples:
      | key |
      | 1   |
      | 4   |
      | 9   |
      | 16  |
      | 50  |
      | 62  |
      | 99  |

  @C169-CLAIM-003 @must @verify @EdDSA
  Scenario Outline: A text key in the claim 169 map may be read or refused ("<key>")
    Given a credential
    And its claim 169 is {"map": [[4, "Text Key Person"], ["<key>", 1]]}
    When the implementation decodes it
    Then either answer conforms

    Examples:
      | key |
      | a   |
      | b   |

  @C169-CLAIM-003 @profile @verify @EdDSA
  Scenario Outline: A known attribute of the wrong type may be refused, never altered (<name>)
    Given a credential
    And its claim 169 is {"<key>": <value>}
    When the implementation decodes it
    Then either answer conforms

    @C169-CLAIM-101
    Examples: id
      | name | key | value      |
      | id   | 1   | 3918592438 |

    @C169-CLAIM-102
    Examples: version
      | name    | key | value          |
      | version | 2   | {"float": 1.5} |

    @C169-CLAIM-103
    Examples: language
      | name     | key | value   |
      | language | 3   | ["eng"] |

    @C169-CLAIM-104
    Examples: fullName
      | name     | key | value          |
      | fullName | 4   | {"bstr": "4a"} |

    @C169-CLAIM-105
    Examples: firstName
      | name      | key | value |
      | firstName | 5   | 1     |

    @C169-CLAIM-106
    Examples: middleName
      | name       | key | value |
      | middleName | 6   | true  |

    @C169-CLAIM-107
    Examples: lastName
      | name     | key | value |
      | lastName | 7   | null  |

    @C169-CLAIM-108
    Examples: dateOfBirth
      | name        | key | value    |
      | dateOfBirth | 8   | 19840418 |

    @C169-CLAIM-109
    Examples: gender
      | name   | key | value  |
      | gender | 9   | "Male" |

    @C169-CLAIM-109
    Examples: gender as digit
      | name            | key | value |
      | gender as digit | 9   | "1"   |

    @C169-CLAIM-110
    Examples: address
      | name    | key | value      |
      | address | 10  | {"1": "x"} |

    @C169-CLAIM-111
    Examples: email
      | name  | key | value |
      | email | 11  | 11    |

    @C169-CLAIM-112
    Examples: phone
      | name  | key | value        |
      | phone | 12  | 919876543210 |

    @C169-CLAIM-113
    Examples: nationality
      | name        | key | value |
      | nationality | 13  | 356   |

    @C169-CLAIM-114
    Examples: maritalStatus
      | name          | key | value     |
      | maritalStatus | 14  | "Married" |

    @C169-CLAIM-115
    Examples: guardian
      | name     | key | value |
      | guardian | 15  | []    |

    @C169-CLAIM-116
    Examples: photo
      | name  | key | value |
      | photo | 16  | 0     |

    @C169-CLAIM-117
    Examples: photoFormat
      | name        | key | value  |
      | photoFormat | 17  | "JPEG" |

    @C169-CLAIM-118
    Examples: bestQualityFingers
      | name               | key | value |
      | bestQualityFingers | 18  | "1,2" |

    @C169-CLAIM-119
    Examples: secondaryFullName
      | name              | key | value          |
      | secondaryFullName | 19  | {"bstr": "00"} |

    @C169-CLAIM-120
    Examples: secondaryLanguage
      | name              | key | value |
      | secondaryLanguage | 20  | 20    |

    @C169-CLAIM-121
    Examples: locationCode
      | name         | key | value           |
      | locationCode | 21  | {"float": 12.5} |

    @C169-CLAIM-122
    Examples: legalStatus
      | name        | key | value |
      | legalStatus | 22  | false |

    @C169-CLAIM-123
    Examples: countryOfIssuance
      | name              | key | value |
      | countryOfIssuance | 23  | 356   |

  @C169-CLAIM-109 @C169-CLAIM-114 @C169-CLAIM-117 @C169-CLAIM-118 @profile @verify @EdDSA
  Scenario Outline: An enumerated value outside its table may be refused, never remapped (<name>)
    Given a credential
    And its claim 169 is {"4": "Out Of Range Person", "<key>": <value>}
    When the implementation decodes it
    Then either answer conforms

    Examples:
      | name           | key | value   |
      | gender 0       | 9   | 0       |
      | gender 4       | 9   | 4       |
      | gender 7       | 9   | 7       |
      | gender -1      | 9   | -1      |
      | marital 0      | 14  | 0       |
      | marital 4      | 14  | 4       |
      | marital 9      | 14  | 9       |
      | photo format 0 | 17  | 0       |
      | photo format 5 | 17  | 5       |
      | finger 11      | 18  | [1, 11] |
      | finger -1      | 18  | [-1]    |
      | finger 255     | 18  | [255]   |

  @C169-CLAIM-116 @must @verify @EdDSA
  Scenario: A photo written as hex text may be read or refused
    Given a credential
    And its claim 169 is {"4": "Hex Photo Person", "16": "ffd8ffe0", "17": 1}
    When the implementation decodes it
    Then either answer conforms
